/**
 * The national platform's 18 service categories (服務分類), spelled as the
 * platform spells them, each with the English name the console shows. One
 * list: the catalogue refuses any other category (catalogue/inputs.ts), and
 * the console names them (console/src/vocabulary.ts).
 */
export const SERVICE_CATEGORY_NAMES_EN = {
  生育保健: "Maternity and child health",
  出生及收養: "Birth and adoption",
  求學及進修: "Education and further study",
  服兵役: "Military service",
  求職及就業: "Job seeking and employment",
  開創事業: "Starting a business",
  婚姻: "Marriage",
  投資理財: "Investment and finance",
  休閒旅遊: "Leisure and travel",
  交通及通訊: "Transport and communications",
  就醫: "Medical care",
  購屋及遷徙: "Housing and moving",
  選舉及投票: "Elections and voting",
  生活安全及品質: "Safety and quality of life",
  退休: "Retirement",
  老年安養: "Care in old age",
  生命禮儀: "Funerals and memorials",
  公共資訊: "Public information",
} as const;

export type ServiceCategory = keyof typeof SERVICE_CATEGORY_NAMES_EN;

/** In the platform's order. */
export const SERVICE_CATEGORIES = Object.keys(SERVICE_CATEGORY_NAMES_EN) as ServiceCategory[];
