// Jangada demo timeline: the legend's check boxes show or hide message kinds. No network access.
(function () {
  var svg = document.getElementById("timeline");
  var boxes = document.querySelectorAll("input[data-kind]");
  function sync(box) {
    svg.classList.toggle("hide-" + box.getAttribute("data-kind"), !box.checked);
  }
  for (var i = 0; i < boxes.length; i++) {
    boxes[i].addEventListener("change", function (event) { sync(event.target); });
    sync(boxes[i]);
  }
  var messages = svg.querySelectorAll("g.msg:not(.k-client)").length;
  var lost = svg.querySelectorAll("g.msg.lost").length;
  var lanes = svg.querySelectorAll("g.lane.node").length;
  document.getElementById("summary").textContent =
      lanes + " nodes, " + messages + " messages drawn (" + lost + " lost). " +
      "Heartbeats are hidden at first: tick their box to see them.";
  document.body.setAttribute("data-ready", "yes");
})();
