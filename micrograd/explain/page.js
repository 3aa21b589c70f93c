// The explanation page's script. It only shows what the recording says:
// every number arrives as finished text, and every string is set with
// textContent, never parsed as markup.
(function () {
  "use strict";
  var rec = JSON.parse(document.getElementById("mg-recording").textContent);
  var ui = rec.ui;
  var page = document.getElementById("mg-explain");
  var svg = page.querySelector(".mg-graph svg");
  var panel = page.querySelector(".mg-panel");
  var phaseBox = page.querySelector('[data-testid="phase"]');
  var textBox = page.querySelector('[data-testid="step-text"]');
  var leavesTable = page.querySelector('[data-testid="leaves"]');
  var details = page.querySelector('[data-testid="details"]');
  var slider = page.querySelector('[data-testid="slider"]');
  var counter = page.querySelector('[data-testid="step-counter"]');
  var speed = page.querySelector('[data-testid="speed"]');
  var buttons = {};
  page.querySelectorAll("button[data-action]").forEach(function (b) {
    buttons[b.getAttribute("data-action")] = b;
  });
  var last = rec.steps.length - 1;

  // The drawing's parts, by their DOT names.
  var shapes = {};
  var edges = {};
  svg.querySelectorAll("g.node").forEach(function (g) { shapes[g.getAttribute("data-id")] = g; });
  svg.querySelectorAll("g.edge").forEach(function (g) { edges[g.getAttribute("data-edge")] = g; });
  function textOf(i, cls) {
    var g = shapes["v" + i];
    return g ? g.querySelector("text." + cls) : null;
  }
  function words(i) {
    var g = shapes["v" + i];
    return g ? g.querySelectorAll("text.mg-grad-word") : [];
  }

  var current = 0;
  var timer = null;

  function clearMarks() {
    svg.querySelectorAll(".mg-current,.mg-source,.mg-target,.mg-lit,.mg-back,.mg-fresh").forEach(function (el) {
      el.classList.remove("mg-current", "mg-source", "mg-target", "mg-lit", "mg-back", "mg-fresh");
    });
  }
  function mark(name, cls) {
    var el = shapes[name] || edges[name];
    if (el) el.classList.add(cls);
  }

  function paragraph(text, cls) {
    var p = document.createElement("p");
    if (cls) p.className = cls;
    p.textContent = text;
    return p;
  }

  function showLeaves(show) {
    leavesTable.hidden = !show;
    if (!show || leavesTable.tBodies[0].rows.length) return;
    var head = leavesTable.tHead.insertRow();
    [ui.name, ui.kind, ui.data, ui.grad].forEach(function (t) {
      var th = document.createElement("th");
      th.textContent = t;
      head.appendChild(th);
    });
    rec.leaves.forEach(function (i) {
      var n = rec.nodes[i];
      var row = leavesTable.tBodies[0].insertRow();
      row.setAttribute("data-node", n.id);
      [[n.name, ""], [ui[n.kind] || n.kind, ""], [n.dataText, "mg-num"], [n.gradText || "—", "mg-num"]].forEach(function (cell) {
        var td = row.insertCell();
        td.textContent = cell[0];
        if (cell[1]) td.className = cell[1];
      });
    });
  }

  function render(k) {
    current = Math.max(0, Math.min(last, k));
    var revealed = {};
    var grads = {};
    for (var s = 0; s <= current; s++) {
      var st = rec.steps[s];
      (st.reveal || []).forEach(function (i) { revealed[i] = true; });
      if (st.grad) grads[st.grad.node] = st.grad.short;
    }
    var step = rec.steps[current];
    if (step.kind === "end") {
      rec.nodes.forEach(function (n, i) { if (n.gradShort) grads[i] = n.gradShort; });
    }
    rec.nodes.forEach(function (n, i) {
      var on = !!revealed[i];
      [shapes["v" + i], shapes["o" + i]].forEach(function (g) { if (g) g.classList.toggle("mg-pending", !on); });
      var data = textOf(i, "mg-data");
      if (data) data.classList.toggle("mg-hidden", !on);
      var grad = textOf(i, "mg-grad");
      var has = Object.prototype.hasOwnProperty.call(grads, i);
      if (grad) {
        grad.classList.toggle("mg-hidden", !has);
        grad.textContent = has ? grads[i] : n.gradShort;
      }
      words(i).forEach(function (w) { w.classList.toggle("mg-hidden", !has); });
    });

    clearMarks();
    var here = step.node;
    if (step.kind === "leaves") {
      step.reveal.forEach(function (i) { mark("v" + i, "mg-current"); });
    } else if (step.kind === "forward") {
      mark("v" + here, "mg-current");
      mark("o" + here, "mg-current");
      mark("o" + here + "->v" + here, "mg-lit");
      rec.nodes[here].inputs.forEach(function (j) {
        mark("v" + j, "mg-source");
        mark("v" + j + "->o" + here, "mg-lit");
      });
      var fresh = textOf(here, "mg-data");
      if (fresh) fresh.classList.add("mg-fresh");
    } else if (step.kind === "seed") {
      mark("v" + here, "mg-current");
    } else if (step.kind === "edge") {
      mark("v" + here, "mg-current");
      mark("o" + here, "mg-current");
      mark("v" + step.input, "mg-target");
      mark("v" + step.input + "->o" + here, "mg-back");
      mark("o" + here + "->v" + here, "mg-back");
      var total = textOf(step.input, "mg-grad");
      if (total) total.classList.add("mg-fresh");
    }
    page.setAttribute("data-step", String(current));
    page.setAttribute("data-current", step.kind === "end" || step.kind === "leaves" ? "" : "v" + here);
    page.setAttribute("data-phase", step.phase);

    panel.classList.toggle("mg-backward", step.phase === "backward");
    panel.classList.toggle("mg-end", step.phase === "end");
    phaseBox.textContent = ui[step.phase];
    textBox.textContent = "";
    step.lines.forEach(function (line, n) {
      var cls = "";
      if (n === 1 && step.kind !== "leaves") cls = "mg-formula" + (step.kind === "edge" ? " mg-chain" : "");
      if (n === 2 && step.kind === "edge") cls = "mg-formula";
      if (n === 1 && step.kind === "leaves") cls = "mg-formula";
      textBox.appendChild(paragraph(line, cls));
    });
    showLeaves(step.kind === "end");

    slider.value = String(current);
    counter.textContent = ui.step + " " + current + " / " + last;
    buttons.prev.disabled = buttons.start.disabled = current === 0;
    buttons.next.disabled = buttons.end.disabled = current === last;
    if (current === last) stop();
    follow();
  }

  function showDetails(i) {
    var n = rec.nodes[i];
    details.textContent = "";
    var h = document.createElement("h2");
    h.textContent = n.name;
    details.appendChild(h);
    var dl = document.createElement("dl");
    function row(term, value) {
      var dt = document.createElement("dt");
      dt.textContent = term;
      var dd = document.createElement("dd");
      dd.textContent = value;
      dl.appendChild(dt);
      dl.appendChild(dd);
    }
    if (n.label && n.label !== n.name) row(ui.name, n.label);
    row(ui.kind, ui[n.kind] || n.kind);
    if (n.op) row(ui.op, n.op === n.opName ? n.op : n.op + " (" + n.opName + ")");
    row(ui.data, n.dataText);
    if (n.gradText) row(ui.grad + " (" + ui.grad_note + ")", n.gradText);
    n.inputs.forEach(function (j, p) {
      row("∂" + n.name + "/∂" + rec.nodes[j].name, n.localText[p]);
    });
    details.appendChild(dl);
    details.setAttribute("data-node", n.id);
    svg.querySelectorAll(".mg-hover").forEach(function (el) { el.classList.remove("mg-hover"); });
    mark("v" + i, "mg-hover");
  }

  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    buttons.play.textContent = ui.play;
    buttons.play.setAttribute("aria-pressed", "false");
  }
  function play() {
    if (current === last) render(0);
    stop();
    timer = setInterval(function () { render(current + 1); }, 1000 / Number(speed.value || 1));
    buttons.play.textContent = ui.pause;
    buttons.play.setAttribute("aria-pressed", "true");
  }
  // Zoom: the whole graph fitted to the page, or drawn at its own size
  // (one point of the drawing to a pixel) with the current node kept in view.
  var graphBox = page.querySelector(".mg-graph");
  var box = (svg.getAttribute("viewBox") || "0 0 0 0").split(/[\s,]+/).map(Number);
  function zoom(actual) {
    graphBox.classList.toggle("mg-actual", actual);
    svg.style.width = actual ? box[2] + "px" : "";
    buttons.zoom.setAttribute("aria-pressed", actual ? "true" : "false");
    follow();
  }
  function follow() {
    if (!graphBox.classList.contains("mg-actual")) return;
    var el = svg.querySelector("g.node.mg-target") || svg.querySelector("g.node.mg-current");
    if (!el) return;
    var r = el.getBoundingClientRect();
    var b = graphBox.getBoundingClientRect();
    if (r.left < b.left || r.right > b.right || r.top < b.top || r.bottom > b.bottom) {
      graphBox.scrollLeft += r.left - b.left - b.width / 2 + r.width / 2;
      graphBox.scrollTop += r.top - b.top - b.height / 2 + r.height / 2;
    }
  }
  buttons.zoom.addEventListener("click", function () {
    zoom(!graphBox.classList.contains("mg-actual"));
  });

  function toggle() { if (timer === null) play(); else stop(); }

  buttons.start.addEventListener("click", function () { stop(); render(0); });
  buttons.prev.addEventListener("click", function () { stop(); render(current - 1); });
  buttons.next.addEventListener("click", function () { stop(); render(current + 1); });
  buttons.end.addEventListener("click", function () { stop(); render(last); });
  buttons.play.addEventListener("click", toggle);
  speed.addEventListener("change", function () { if (timer !== null) play(); });
  slider.addEventListener("input", function () { stop(); render(Number(slider.value)); });
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) return;
    if (e.key === "ArrowRight") { stop(); render(current + 1); }
    else if (e.key === "ArrowLeft") { stop(); render(current - 1); }
    else if (e.key === "Home") { stop(); render(0); }
    else if (e.key === "End") { stop(); render(last); }
    else if (e.key === " " && !(t && t.tagName === "BUTTON")) { toggle(); }
    else return;
    e.preventDefault();
  });
  Object.keys(shapes).forEach(function (name) {
    var i = Number(name.slice(1));
    var g = shapes[name];
    g.addEventListener("mouseenter", function () { showDetails(i); });
    g.addEventListener("click", function () { showDetails(i); });
  });

  // Fit the graph when fitting keeps its text readable, else draw it at size.
  zoom(box[2] > graphBox.clientWidth * 1.4);
  render(0);
})();
