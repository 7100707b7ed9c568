/*
 * lanes.js: the script of a chart of lanes (a flame chart in time, one
 * lane per thread, or a flame graph per thread; lib/render-lanes.c).  The
 * renderer writes it inside flamegraph.js's closure, just before that
 * file's "return init;", so that its function declarations replace those
 * of the same name (collect, zoom, unzoom, search): the other documents
 * keep flamegraph.js byte for byte.  docs/internals/timechart.md says
 * what the lanes mean; a change to those four functions in flamegraph.js
 * is made here too.
 *
 * A frame's lane is the band of rows it is in (fg:lanes on #frames: "Y1
 * Y2 W" per lane).  Zoom works inside the zoomed frame's lane: on a
 * timeline (fg:timeline="1") the other lanes show the same span of time,
 * in a graph per thread they stay as they are, each lane as wide as the
 * graph (its W is its full width).  Search's share is of the lanes' W
 * summed.  The time axis (#axis) is hidden while zoomed.
 */

	/*
	 * A frame of another lane than z's while z is zoomed: a timeline's
	 * lanes share the time axis and show the same span (cut to it), a
	 * graph per thread's others stay as they are.
	 */
	function otherLane(i, zx, zw) {
		var x, e;
		if (!S.timeline) {
			apply(i, NONE, S.fx[i] / S.sc[i] * 100, S.fw[i] / S.sc[i] * 100);
			return;
		}
		x = Math.max(S.fx[i], zx);
		e = Math.min(S.fx[i] + S.fw[i], zx + zw);
		if (e > x)
			apply(i, NONE, (x - zx) / zw * 100, (e - x) / zw * 100);
		else
			apply(i, HIDE, 0, 0);
	}

	/* Zoom into frame z: ancestors dimmed, frames outside hidden, z and
	 * its descendants widened to the full width. */
	function zoom(z) {
		var zx = S.fx[z], zw = S.fw[z], zy = S.fy[z];
		var eps = S.sc[z] * 1e-9 + 1e-12, i, x, w, below;
		if (!(zw > 0))
			return;
		for (i = 0; i < S.n; i++) {
			if (S.nlanes > 0 && S.lane[i] !== S.lane[z]) {
				otherLane(i, zx, zw);
				continue;
			}
			x = S.fx[i];
			w = S.fw[i];
			below = S.inverted ? S.fy[i] >= zy : S.fy[i] <= zy;
			if (below) {
				if (x >= zx - eps && x + w <= zx + zw + eps)
					apply(i, NONE, (x - zx) / zw * 100, w / zw * 100);
				else
					apply(i, HIDE, 0, 0);
			} else if (x <= zx + eps && x + w >= zx + zw - eps)
				apply(i, PARENT, 0, 100);
			else
				apply(i, HIDE, 0, 0);
		}
		S.zoomed = z;
		S.unzoom.classList.remove("hide");
		if (S.axis)
			S.axis.classList.add("hide");
		setParams(function (p) {
			p.set("x", S.rect[z].getAttributeNS(FGNS, "x") ||
			    S.rect[z].getAttribute("fg:x") || String(zx));
			p.set("y", S.rect[z].getAttribute("y") || String(zy));
		});
	}

	function unzoom() {
		var i;
		for (i = 0; i < S.n; i++)
			apply(i, NONE, S.fx[i] / S.sc[i] * 100, S.fw[i] / S.sc[i] * 100);
		S.zoomed = -1;
		S.unzoom.classList.add("hide");
		if (S.axis)
			S.axis.classList.remove("hide");
		setParams(function (p) {
			p.delete("x");
			p.delete("y");
		});
	}

	/* Fill frames whose name matches term; show the share of the total
	 * they cover, nested matches counted once. */
	function search(term) {
		var re, i, hits = [], cover = 0, end = -Infinity, x, e, p;
		try {
			re = new RegExp(term, S.ignorecase ? "i" : "");
		} catch (err) {
			setText(S.matched, "Invalid regular expression");
			return;
		}
		for (i = 0; i < S.n; i++) {
			if (re.test(nameOf(i))) {
				hits.push(i);
				if (!S.match[i]) {
					S.fill[i] = S.rect[i].getAttribute("fill");
					S.rect[i].setAttribute("fill", S.searchcolor);
					S.match[i] = 1;
				}
			} else if (S.match[i]) {
				unfill(i);
			}
		}
		hits.sort(function (a, b) {
			return S.lane[a] - S.lane[b] || S.fx[a] - S.fx[b] ||
			    S.fw[b] - S.fw[a];
		});
		for (i = 0; i < hits.length; i++) {
			if (i > 0 && S.lane[hits[i]] !== S.lane[hits[i - 1]])
				end = -Infinity;	/* each lane has its own x */
			x = S.fx[hits[i]];
			e = x + S.fw[hits[i]];
			if (e <= end)
				continue;
			cover += e - Math.max(x, end);
			end = e;
		}
		S.term = term;
		S.search.classList.add("show");
		p = S.whole > 0 ? 100 * cover / S.whole : 0;
		setText(S.matched, "Matched: " + (p >= 100 ? "100" : p.toFixed(2)) + "%");
		setParams(function (q) {
			q.set("s", term);
		});
	}

	/*
	 * A chart of lanes (fg:lanes on #frames: "Y1 Y2 W" per lane, its rows
	 * and what its x units hold): which lane a row is in.
	 */
	function readLanes() {
		var a = attr(S.frames, "lanes").split(" "), i;
		S.timeline = attr(S.frames, "timeline") === "1";
		S.ly1 = [];
		S.ly2 = [];
		S.lw = [];
		for (i = 0; i + 2 < a.length; i += 3) {
			S.ly1.push(num(a[i], 0));
			S.ly2.push(num(a[i + 1], 0));
			S.lw.push(num(a[i + 2], 0));
		}
		S.nlanes = S.lw.length;
		S.whole = 0;
		for (i = 0; i < S.nlanes; i++)
			S.whole += S.lw[i];
		if (S.nlanes === 0)
			S.whole = S.total;
	}

	function laneOf(y) {
		var k;
		for (k = 0; k < S.nlanes; k++)
			if (y >= S.ly1[k] && y < S.ly2[k])
				return k;
		return 0;
	}

	function collect() {
		var kids = S.frames.children, n = 0, i, g, c, r, tx, ti, first = true;
		S.axis = document.getElementById("axis");
		readLanes();
		S.g = [];
		S.rect = [];
		S.text = [];
		S.title = [];
		for (i = 0; i < kids.length; i++) {
			g = kids[i];
			/* a frame with a link (--nameattr href) is <a><g>..</g></a> */
			if (g.localName === "a" && g.firstElementChild)
				g = g.firstElementChild;
			if (g.localName !== "g")
				continue;
			r = tx = ti = null;
			for (c = g.firstElementChild; c; c = c.nextElementSibling) {
				if (c.localName === "rect")
					r = r || c;
				else if (c.localName === "text")
					tx = tx || c;
				else if (c.localName === "title")
					ti = ti || c;
			}
			if (!r)
				continue;
			g.fg_index = n;
			S.g.push(g);
			S.rect.push(r);
			S.text.push(tx);
			S.title.push(ti);
			n++;
		}
		S.n = n;
		S.fx = new Float64Array(n);
		S.fw = new Float64Array(n);
		S.fy = new Float64Array(n);
		S.lane = new Int32Array(n);
		S.sc = new Float64Array(n);
		S.curX = new Float64Array(n);
		S.curW = new Float64Array(n);
		S.chars = new Int32Array(n).fill(-1);
		S.cls = new Uint8Array(n);
		S.match = new Uint8Array(n);
		S.names = new Array(n);
		S.labels = new Array(n).fill(null);
		S.fill = new Array(n);
		for (i = 0; i < n; i++) {
			r = S.rect[i];
			S.fx[i] = num(attr(r, "x"), 0);
			S.fw[i] = num(attr(r, "w"), 0);
			S.fy[i] = num(r.getAttribute("y"), 0);
			if (i === 0 || (S.inverted ? S.fy[i] < S.rootY : S.fy[i] > S.rootY))
				S.rootY = S.fy[i];
			S.lane[i] = laneOf(S.fy[i]);
			/* the x units of the frame's full width */
			S.sc[i] = S.nlanes > 0 && !S.timeline ?
			    (S.lw[S.lane[i]] > 0 ? S.lw[S.lane[i]] : 1) : S.total;
			S.curX[i] = S.fx[i] / S.sc[i] * 100;
			S.curW[i] = S.fw[i] / S.sc[i] * 100;
			if (first && S.text[i]) {
				/* the renderer's offset of a label from its frame */
				S.textPad = num(S.text[i].getAttribute("x"), 0) -
				    num(r.getAttribute("x"), 0);
				first = false;
			}
		}
	}

