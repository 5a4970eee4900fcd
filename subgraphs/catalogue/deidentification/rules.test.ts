import { birthDateColumns, findPersonalData, isCalendarDay, isNationalId, isResidentCertificate, mask, PersonalDataKind as K } from "./rules";

const kinds = (text: string) => findPersonalData(text).map((match) => match.kind);

describe("national ID numbers are recognised by their check digit", () => {
  test.each(["A123456789", "I123456781", "O223456784", "W123456789", "Z212345670", "L123456788", "Y112345676"])("%s is valid", (id) => {
    expect(isNationalId(id)).toBe(true);
  });

  test.each([
    ["A123456788", "wrong check digit"],
    ["I123456789", "I counts as 34, not as the ninth letter"],
    ["O223456780", "O counts as 35"],
    ["W123456788", "W counts as 32"],
    ["A323456789", "the second digit is 1 or 2"],
    ["a123456789", "lower case"],
    ["A12345678", "nine characters"],
  ])("%s is not (%s)", (id) => {
    expect(isNationalId(id)).toBe(false);
  });
});

describe("resident certificate numbers", () => {
  test("the current format (since 2021): a letter, 8 or 9, eight digits, checked like an ID number", () => {
    expect(isResidentCertificate("A812345671")).toBe(true);
    expect(isResidentCertificate("Z912345674")).toBe(true);
    expect(isResidentCertificate("A812345672")).toBe(false);
  });

  test("the old format: two letters (the second A–D counts with its units digit) and eight digits", () => {
    expect(isResidentCertificate("HD12345678")).toBe(true);
    expect(isResidentCertificate("AC12345679")).toBe(true);
    expect(isResidentCertificate("FA12345670")).toBe(true);
    expect(isResidentCertificate("AC12345678")).toBe(false);
    expect(isResidentCertificate("AE12345678")).toBe(false);
  });

  test("an ID number is not a resident certificate, nor the reverse", () => {
    expect(isResidentCertificate("A123456789")).toBe(false);
    expect(isNationalId("A812345671")).toBe(false);
  });
});

describe("each rule, with what only looks alike", () => {
  test("IDs inside text; a product code or a longer word holding a valid ID is not one", () => {
    expect(kinds("申請人 A123456789 已到場")).toEqual([K.NATIONAL_ID]);
    expect(kinds("居留證HD12345678")).toEqual([K.RESIDENT_CERTIFICATE]);
    expect(kinds("A123456788")).toEqual([]);
    expect(kinds("XA123456789")).toEqual([]);
    expect(kinds("A1234567890")).toEqual([]);
    expect(kinds("公文字號 B100000001")).toEqual([]);
  });

  test("mobile numbers with or without separators, or +886; not a longer number or an 08 number", () => {
    expect(kinds("0912-345-678")).toEqual([K.MOBILE_PHONE]);
    expect(kinds("0912345678")).toEqual([K.MOBILE_PHONE]);
    expect(kinds("+886 912 345 678")).toEqual([K.MOBILE_PHONE]);
    expect(kinds("20912345678")).toEqual([]);
    expect(kinds("0812345678")).toEqual([]);
    expect(kinds("案號 109123456")).toEqual([]);
  });

  test("landlines with an area code set apart; a bare run of digits, a day or an amount is not one", () => {
    expect(kinds("(02)2311-1234")).toEqual([K.LANDLINE_PHONE]);
    expect(kinds("04-22223333")).toEqual([K.LANDLINE_PHONE]);
    expect(kinds("049 2345678")).toEqual([K.LANDLINE_PHONE]);
    expect(kinds("+886-2-2311-1234")).toEqual([K.LANDLINE_PHONE]);
    expect(kinds("0223111234")).toEqual([]);
    expect(kinds("2017-05-01")).toEqual([]);
    expect(kinds("12,345,678")).toEqual([]);
  });

  test("e-mail addresses; an @ mention or a version string is not one", () => {
    expect(kinds("聯絡 wang.da-ming@mail.moj.gov.tw")).toEqual([K.EMAIL]);
    expect(kinds("@moj_tw")).toEqual([]);
    expect(kinds("pkg@1.2.3")).toEqual([]);
  });

  test("street addresses down to the house number; a road alone or a 號 without a road is not one", () => {
    expect(kinds("臺北市中正區重慶南路一段130號")).toEqual([K.STREET_ADDRESS]);
    expect(kinds("新北市板橋區文化路二段182巷3弄5號")).toEqual([K.STREET_ADDRESS]);
    expect(kinds("台中市西屯區市政北七路12之1號")).toEqual([K.STREET_ADDRESS]);
    expect(kinds("臺北市中山路")).toEqual([]);
    expect(kinds("法務部第3號公告")).toEqual([]);
    expect(kinds("中山區")).toEqual([]);
  });
});

describe("dates of birth next to names", () => {
  test("calendar days in AD and ROC spellings; years, counts and amounts are not days", () => {
    for (const day of ["1985-03-02", "1985/3/2", "19850302", "民國74年3月2日", "74/03/02", "074.03.02"]) expect(isCalendarDay(day)).toBe(true);
    for (const other of ["1985", "12345678", "2017-13-01", "3/2", "1,250"]) expect(isCalendarDay(other)).toBe(false);
  });

  const column = (position: number, name: string, days: number, values = 10) => ({ position, name, values, days });

  test("a day column beside a name column, or one named as birthdays, is flagged", () => {
    expect(birthDateColumns([column(0, "姓名", 0), column(1, "日期", 10)]).map((c) => c.name)).toEqual(["日期"]);
    expect(birthDateColumns([column(0, "受刑人", 0), column(1, "罪名", 0), column(2, "出生日期", 9)]).map((c) => c.name)).toEqual(["出生日期"]);
  });

  test("days without a person's name, a name far from an unnamed day column, or a column of mostly other values are not", () => {
    expect(birthDateColumns([column(0, "開庭日期", 10), column(1, "件數", 0)])).toEqual([]);
    expect(birthDateColumns([column(0, "機關名稱", 0), column(1, "出生日期", 10)])).toEqual([]);
    expect(birthDateColumns([column(0, "年月", 10), column(1, "收容人數", 0)])).toEqual([]);
    expect(birthDateColumns([column(0, "姓名", 0), column(1, "罪名", 0), column(2, "判決日期", 10)])).toEqual([]);
    expect(birthDateColumns([column(0, "姓名", 0), column(1, "出生日期", 3)])).toEqual([]);
  });
});

test("samples are masked: the shape stays, the person does not", () => {
  expect(mask(K.NATIONAL_ID, "A123456789")).toBe("A1******89");
  expect(mask(K.MOBILE_PHONE, "0912-345-678")).toBe("0912-***-*78");
  expect(mask(K.LANDLINE_PHONE, "(02)2311-1234")).toBe("(02)23**-**34");
  expect(mask(K.EMAIL, "wang@mail.moj.gov.tw")).toBe("w***@mail.moj.gov.tw");
  expect(mask(K.STREET_ADDRESS, "重慶南路一段130號")).toBe("重慶南路*段***號");
  expect(mask(K.BIRTH_DATE, "1985-03-02")).toBe("1985-**-**");
  expect(mask(K.BIRTH_DATE, "74/03/02")).toBe("74/**/**");
});
