// The landing page's eligibility checker: asks POST /api/v1/eligibility/evaluate and explains
// the answer in the page's language. The texts come from the page itself
// (<script id="eligibility-texts">), so this file holds no words of its own.
(function () {
  "use strict";

  var form = document.getElementById("eligibility-form");
  var result = document.getElementById("eligibility-result");
  var textsNode = document.getElementById("eligibility-texts");
  if (!form || !result || !textsNode) {
    return;
  }
  var texts = JSON.parse(textsNode.textContent);
  var language = document.documentElement.lang || "ru";
  var fields = ["citizenship", "date_of_birth", "purpose", "region", "intended_stay_days",
    "category", "on"];

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function clearErrors() {
    fields.forEach(function (name) {
      var control = form.elements.namedItem(name);
      var message = document.getElementById(name + "-error");
      if (control) {
        control.removeAttribute("aria-invalid");
        control.removeAttribute("aria-errormessage");
      }
      if (message) {
        message.textContent = "";
        message.hidden = true;
      }
    });
  }

  function showFieldErrors(errors) {
    var first = null;
    errors.forEach(function (error) {
      var name = String(error.field || "").split(".")[0];
      var control = form.elements.namedItem(name);
      var message = document.getElementById(name + "-error");
      if (!control || !message) {
        return;
      }
      message.textContent = error.message;
      message.hidden = false;
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-errormessage", message.id);
      first = first || control;
    });
    if (first) {
      first.focus();
    }
  }

  function show(kind, title, lines, link) {
    var box = element("div", "alert alert--" + kind);
    box.appendChild(element("strong", "alert__title", title));
    lines.forEach(function (line) {
      if (line) {
        box.appendChild(element("p", "", line));
      }
    });
    if (link) {
      var paragraph = element("p");
      var anchor = element("a", "button", link.text);
      anchor.href = link.href;
      paragraph.appendChild(anchor);
      box.appendChild(paragraph);
    }
    result.replaceChildren(box);
  }

  function reveal() {
    // on a phone the answer appears below the fold; bring it into view
    result.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  function explain(answer) {
    var lines = [];
    if (answer.status === "required") {
      var rule = texts["rule." + answer.rule];
      lines.push(rule || fill(texts["rule.other"], { rule: answer.rule }));
    }
    if (answer.status !== "required") {
      lines.push(texts["reason." + answer.reason]);
    }
    lines.push(fill(texts.policy, { version: answer.policy_version }));
    if (answer.status === "required") {
      show("warning", texts["status.required"], lines,
        { href: "/app", text: texts["next.required"] });
    } else {
      show("success", texts["status." + answer.status] || answer.status, lines, null);
    }
  }

  function question() {
    var body = {};
    fields.forEach(function (name) {
      var value = form.elements.namedItem(name).value.trim();
      if (value === "") {
        return; // absent, so the server names it as a required field
      }
      body[name] = name === "intended_stay_days" ? Number(value) : value;
    });
    return body;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch("/api/v1/eligibility/evaluate?lang=" + encodeURIComponent(language), {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(question())
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (reply) {
        if (reply.ok) {
          explain(reply.data);
          reveal();
          return;
        }
        var problem = reply.data || {};
        showFieldErrors(problem.errors || []);
        show("error", problem.title || texts.error, [problem.detail], null);
      })
      .catch(function () {
        show("error", texts.error, [], null);
        reveal();
      })
      .finally(function () {
        button.disabled = false;
      });
  });
})();
