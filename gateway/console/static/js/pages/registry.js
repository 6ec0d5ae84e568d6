// Every page of the console, and where each role starts. Adding a page: a module in this
// folder exporting {path, roles, title, nav?, render(main, params, query)}, and one line
// here (docs/console.md).

import audit from "./audit.js";
import awards from "./awards.js";
import campaigns from "./campaigns.js";
import dashboard from "./dashboard.js";
import hours from "./hours.js";
import placements from "./placements.js";
import rounds from "./rounds.js";
import signIn from "./sign_in.js";
import { studentHome, studentOverview } from "./student.js";
import students from "./students.js";
import { unitApplicants, unitPlacements, unitPositions } from "./unit.js";

export const PAGES = [signIn, campaigns, dashboard, students, rounds, placements, hours, awards, unitPositions, unitApplicants, unitPlacements, studentHome, studentOverview, audit];

export const HOMES = {
  operator: "/campaigns",
  auditor: "/audit",
  host_unit: "/unit/positions",
  student: "/me",
};
