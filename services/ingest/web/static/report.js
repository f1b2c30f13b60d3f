// Progressive enhancement for the public pages; every page works without this file.
(function () {
  "use strict";
  document.documentElement.className += " js-enabled";
  document.addEventListener("DOMContentLoaded", function () {
    document.body.classList.add("js-enabled");

    // Move focus to the error summary so screen reader and keyboard users hear it first.
    var summary = document.querySelector("[data-module='error-summary']");
    if (summary) {
      summary.focus();
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (!link) { return; }
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) { return; }
        var details = target.closest("details");
        if (details) { details.open = true; }
        var conditional = target.closest(".tl-radios__conditional");
        if (conditional) { conditional.classList.remove("tl-radios__conditional--hidden"); }
        event.preventDefault();
        var group = target.closest(".tl-form-group") || target;
        group.scrollIntoView();
        target.focus({ preventScroll: true });
      });
    }

    // Show the contact fields only when the reporter chooses to give contact details.
    var yes = document.getElementById("contact-yes");
    var no = document.getElementById("contact-no");
    var details = document.getElementById("contact-details");
    if (yes && no && details) {
      var sync = function () {
        details.classList.toggle("tl-radios__conditional--hidden", !yes.checked);
      };
      yes.addEventListener("change", sync);
      no.addEventListener("change", sync);
      sync();
    }

    // "Use my current location" fills the coordinate fields; nothing is sent until the form is.
    var locate = document.querySelector("[data-locate]");
    if (locate && navigator.geolocation) {
      locate.hidden = false;
      var button = locate.querySelector("[data-locate-button]");
      var status = locate.querySelector("[data-locate-status]");
      button.addEventListener("click", function () {
        status.textContent = "Finding your location…";
        navigator.geolocation.getCurrentPosition(
          function (position) {
            document.getElementById("location-lat").value = position.coords.latitude.toFixed(5);
            document.getElementById("location-lon").value = position.coords.longitude.toFixed(5);
            status.textContent = "Coordinates filled in. Check this is where it happened.";
          },
          function () {
            status.textContent = "Your location could not be found. Describe the place instead.";
          },
          { enableHighAccuracy: true, timeout: 10000, maximumAge: 0 }
        );
      });
    }

    // Stop a double press from sending the same report twice.
    var form = document.querySelector("form.tl-form");
    if (form) {
      form.addEventListener("submit", function () {
        var submit = form.querySelector("[data-prevent-double-click]");
        if (submit) {
          window.setTimeout(function () { submit.disabled = true; }, 0);
        }
      });
    }
  });
})();
