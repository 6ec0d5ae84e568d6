// Every page of the console, and where each role starts. Adding a page: a module in this
// folder exporting {path, roles, title, nav?, render(main, params, query)}, and one line
// here (docs/console.md).

import campaigns from "./campaigns.js";
import dashboard from "./dashboard.js";
import signIn from "./sign_in.js";
import students from "./students.js";

export const PAGES = [signIn, campaigns, dashboard, students];

export const HOMES = {
  operator: "/campaigns",
  auditor: "/campaigns",
};
