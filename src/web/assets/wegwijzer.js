// Wegwijzer: progressive enhancement of the chat. Without this file every form still works as a
// plain POST; with it, questions go to /api/ask and the answer is added to the page from the
// <template>s the server rendered, so the conversation stays in view. No framework, no innerHTML.
(function () {
  "use strict";
  var form = document.getElementById("ww-ask");
  var log = document.getElementById("ww-log");
  if (!form || !log || !window.fetch || !("content" in document.createElement("template"))) return;
  var convField = form.querySelector("input[name=conversation_id]");
  var box = form.querySelector("textarea[name=q]");
  var counter = 0;

  function tpl(id) {
    return document.getElementById(id).content.firstElementChild.cloneNode(true);
  }
  function slot(root, name) {
    return root.querySelector("[data-slot='" + name + "']");
  }
  function safeHref(url) {
    return /^https?:\/\//i.test(url) ? url : "#";
  }

  function card(o) {
    var t = document.getElementById("ww-tpl-card");
    var li = tpl("ww-tpl-card");
    var name = slot(li, "name");
    name.textContent = o.name;
    name.href = "/aanbod/" + encodeURIComponent(o.id);
    slot(li, "provider").textContent = o.provider;
    var badge = slot(li, "badge");
    if (o.status === "closed" || o.status === "unknown") {
      badge.textContent = o.status === "closed" ? t.dataset.closed : t.dataset.check;
      badge.classList.add(o.status === "closed" ? "ww-badge--closed" : "ww-badge--check");
      badge.hidden = false;
    } else if (o.rounds) {
      // Never a plain "open" for a scheme that opens in rounds.
      badge.textContent = t.dataset.rounds;
      badge.classList.add("ww-badge--check");
      badge.hidden = false;
    }
    slot(li, "why").textContent = o.why;
    slot(li, "how").textContent = o.how_to_apply;
    if (o.figures && o.figures.length) {
      o.figures.forEach(function (f) {
        var item = document.createElement("li");
        item.textContent = f.text;
        slot(li, "figures").appendChild(item);
      });
      slot(li, "figures-box").hidden = false;
    }
    slot(li, "url").href = safeHref(o.url);
    return li;
  }

  function render(a) {
    var li = tpl("ww-tpl-answer");
    var article = li.querySelector("article");
    article.lang = a.language;
    var paras = slot(li, "paragraphs");
    a.answer.split(/\n\n+/).forEach(function (p) {
      if (!p.trim()) return;
      var el = document.createElement("p");
      el.className = "utrecht-paragraph";
      el.textContent = p.trim();
      paras.appendChild(el);
    });
    if (a.notice) { slot(li, "notice").textContent = a.notice; slot(li, "notice").hidden = false; }
    if (a.disclosure) { slot(li, "disclosure").textContent = a.disclosure; slot(li, "disclosure").hidden = false; } else { slot(li, "disclosure").remove(); }
    var cards = slot(li, "cards");
    (a.offers || []).forEach(function (o) { cards.appendChild(card(o)); });
    if (!cards.children.length) cards.remove();
    if (a.outcome === "clarify" && a.clarify) {
      var c = slot(li, "clarify");
      slot(li, "clarify-question").textContent = a.clarify.question;
      a.clarify.options.forEach(function (opt) {
        var b = tpl("ww-tpl-option");
        b.value = opt;
        b.textContent = opt;
        slot(li, "options").appendChild(b);
      });
      c.hidden = false;
      c.addEventListener("submit", onAsk);
    } else {
      slot(li, "clarify").remove();
    }
    if (a.gap && a.gap.id) {
      slot(li, "gap-id").textContent = String(a.gap.id);
      slot(li, "gap").hidden = false;
    }
    counter += 1;
    li.querySelectorAll("input[name=conversation_id]").forEach(function (i) { i.value = a.conversation_id; });
    li.querySelectorAll("[id]").forEach(function (el) {
      var label = li.querySelector("label[for='" + el.id + "']");
      el.id = el.id + "-" + counter;
      if (label) label.htmlFor = el.id;
    });
    li.querySelectorAll(".ww-feedback__form").forEach(function (f) { f.addEventListener("submit", onFeedback); });
    return li;
  }

  function say(text) {
    var q = tpl("ww-tpl-question");
    slot(q, "text").textContent = text;
    log.appendChild(q);
  }

  function fail(where) {
    var p = document.createElement("div");
    p.className = "utrecht-alert utrecht-alert--error";
    p.setAttribute("role", "alert");
    p.textContent = form.dataset.error;
    where.appendChild(p);
  }

  function onAsk(ev) {
    var source = ev.currentTarget;
    var sub = ev.submitter;
    var question = sub && sub.name === "q" ? sub.value : box.value;
    if (!question || !question.trim()) return;
    ev.preventDefault();
    var buttons = source.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    var status = form.querySelector("button[type=submit]");
    var label = status.textContent;
    status.textContent = form.dataset.sending;
    say(question);
    fetch("/api/ask", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ question: question, conversation_id: convField.value || null, channel: "web" })
    }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    }).then(function (a) {
      convField.value = a.conversation_id;
      var li = render(a);
      log.appendChild(li);
      if (source === form) box.value = "";
      var first = li.querySelector("article");
      first.setAttribute("tabindex", "-1");
      first.focus();
    }).catch(function () { fail(log); })
      .finally(function () {
        buttons.forEach(function (b) { b.disabled = false; });
        status.textContent = label;
      });
  }

  function onFeedback(ev) {
    ev.preventDefault();
    var f = ev.currentTarget;
    var data = new FormData(f);
    var box = f.parentNode;
    fetch("/api/feedback", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({
        conversation_id: data.get("conversation_id"),
        helpful: data.get("helpful") === "yes",
        comment: data.get("comment") || null,
        channel: "web"
      })
    }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    }).then(function (res) {
      var note = document.createElement("div");
      note.className = "utrecht-alert utrecht-alert--ok";
      note.setAttribute("role", "status");
      note.textContent = res.gap ? form.dataset.gap + " " + res.gap.id : form.dataset.thanks;
      box.querySelectorAll(".ww-feedback__form").forEach(function (x) { x.remove(); });
      box.insertBefore(note, box.firstChild);
    }).catch(function () { fail(box); });
  }

  form.addEventListener("submit", onAsk);
  document.querySelectorAll(".ww-options.ww-ask-form").forEach(function (f) { f.addEventListener("submit", onAsk); });
  document.querySelectorAll("#ww-log .ww-feedback__form").forEach(function (f) { f.addEventListener("submit", onFeedback); });
}());
