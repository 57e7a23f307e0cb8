/* A link to a post names the post (#post-<id>), not its place. When a post is not on this page
 * (a facilitator merged or split the conversation since the link was made, or more replies moved
 * it to another page), ask its own address, which knows where it is now. Without JavaScript the
 * thread still opens; posts' own links (/groups/p/<id>/) always land right. */
(function () {
  "use strict";
  var match = /^#post-(\d{1,12})$/.exec(window.location.hash || "");
  if (!match || document.getElementById("post-" + match[1])) return;
  var base = document.querySelector("[data-post-base]");
  if (!base) return;
  window.location.replace(base.getAttribute("data-post-base") + match[1] + "/");
})();
