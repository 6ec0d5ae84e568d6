// Names of the programme's values, Chinese first (the glossary of /work DESIGN.md).

export const CAMPAIGN_STATUS = {
  draft: ["草稿", "Draft"],
  open: ["报名中", "Open"],
  closed: ["已关闭", "Closed"],
};

export const STUDENT_STATUS = {
  registered: ["待筛选", "Registered"],
  approved: ["已通过", "Approved"],
  rejected: ["未通过", "Rejected"],
  withdrawn: ["已退出", "Withdrawn"],
};

export const CHANNEL = {
  organisation: ["组织招募", "Organisational"],
  self: ["个人自荐", "Self-recommended"],
};

export const SEASON = {
  summer: ["暑期", "Summer"],
  winter: ["寒假", "Winter"],
};

export const ACTIVITY_KIND = {
  classroom: ["暑托班公益课堂", "Summer classroom"],
  civilised_city: ["文明城市志愿", "Civilised city"],
  river_cleanup: ["河小青净滩", "River clean-up"],
  safety_talk: ["防溺水宣传", "Drowning-prevention talk"],
  other: ["其他", "Other"],
};

/** [zh, en] of ``value`` in ``names``, or the value itself twice. */
export function named(names, value) {
  return names[value] || [String(value), String(value)];
}
