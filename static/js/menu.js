/* The site menu on a phone: the "Menu" link (which, without JavaScript, opens the menu through
 * #site-menu:target) becomes a button that shows and hides it, says so (aria-expanded), and closes
 * with Escape, giving the focus back to the button. On a wide screen the menu is always shown. */
(function () {
  "use strict";
  function init() {
    var link = document.getElementById("menu-toggle");
    var menu = document.getElementById("site-menu");
    if (!link || !menu) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "menu-toggle";
    button.id = "menu-toggle";
    button.setAttribute("aria-controls", "site-menu");
    button.setAttribute("aria-expanded", "false");
    button.textContent = "Menu";
    link.replaceWith(button);
    document.documentElement.classList.add("js-menu");
    if (location.hash === "#site-menu") history.replaceState(null, "", location.pathname + location.search);
    var close = menu.querySelector("[data-menu-close]");
    if (close) close.remove();

    function set(open) {
      menu.classList.toggle("is-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.textContent = open ? "Close menu" : "Menu";
    }
    button.addEventListener("click", function () {
      set(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && button.getAttribute("aria-expanded") === "true") { set(false); button.focus(); }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
