import { clientAddress } from "./server";

describe("the client's address behind reverse proxies", () => {
  it("is the socket's peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(clientAddress("203.0.113.9", "198.51.100.1", [])).toBe("203.0.113.9");
  });

  it("is the address the trusted proxy saw, not what the client wrote before it", () => {
    expect(clientAddress("::ffff:10.0.0.2", "1.1.1.1, 198.51.100.7", ["10.0.0.2"])).toBe("198.51.100.7");
  });

  it("skips every trusted proxy in the chain", () => {
    expect(clientAddress("10.0.0.2", "198.51.100.7, 10.0.0.3", ["10.0.0.2", "10.0.0.3"])).toBe("198.51.100.7");
  });

  it("is the proxy itself when it forwarded nothing", () => {
    expect(clientAddress("10.0.0.2", undefined, ["10.0.0.2"])).toBe("10.0.0.2");
  });
});
