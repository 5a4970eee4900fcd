/**
 * A server process that `npm start` supervises stops with its supervisor.
 *
 * The supervisor stops its children itself on Ctrl-C or SIGTERM, but killed
 * outright (SIGKILL, the OOM killer, a crash) it cannot: its children would
 * keep running, holding their ports, and the next `npm start` would refuse
 * to start over them. So it spawns each child with an IPC channel, which the
 * kernel closes when the supervisor dies, whatever killed it; the child then
 * stops as on SIGTERM (its own drain). A process started without a channel
 * (a container, a test, `npm run serve`) is not affected.
 */
export function stopWithParent(): void {
  if (process.channel) process.once("disconnect", () => process.kill(process.pid, "SIGTERM"));
}
