// Sign in with a username and password (POST /api/v1/sessions); then on to the page that
// asked for it, or the role's home. Plain form: Tab moves between fields, Enter submits.

import { signIn } from "../api.js";
import { bi, field, fill, h } from "../dom.js";
import { act } from "../feedback.js";
import { go, home } from "../router.js";

async function render(main, _params, query) {
  const username = h("input", { autocomplete: "username", required: true, autocapitalize: "none", autofocus: true });
  const password = h("input", { type: "password", autocomplete: "current-password", required: true });
  const submit = h("button", { type: "submit" }, bi("登录", "Sign in"));
  const form = h(
    "form",
    { class: "stack card", novalidate: false },
    field("username", "用户名", "Username", username),
    field("password", "密码", "Password", password),
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const user = await act(submit, ["正在登录", "Signing in"], () => signIn(username.value.trim(), password.value));
    if (user) {
      const next = query.get("next");
      go(next && next.startsWith("/") && !next.startsWith("//") ? next : home(), { replace: true });
    } else {
      password.value = "";
      password.focus();
    }
  });
  fill(main, h("h1", {}, bi("登录", "Sign in")), form);
}

export default {
  path: "/sign-in",
  roles: [],
  title: ["登录", "Sign in"],
  render,
};
