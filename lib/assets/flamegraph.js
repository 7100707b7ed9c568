/*
 * flamegraph.js: the interactive part of a cargo-flamegraph SVG (hover
 * details, click to zoom, regular-expression search, state in the URL,
 * labels re-fitted on resize).  docs/internals/svg-format.md is the
 * contract with the renderer; docs/internals/script.md says how it works.
 *
 * Guarantees: configuration is read only from attributes of the root
 * element; text from the document or the URL is only ever written with
 * textContent or compared/compiled as data, never parsed as markup.  Work
 * is proportional to the frames whose state changes: no frame's text is
 * measured (labels are fitted from character counts; the font is measured
 * once, on a canvas) and a frame's DOM is written only when its class,
 * geometry or label really changes.
 *
 * The renderer embeds this file in one CDATA section, so it must never
 * contain the three characters that end one (the build checks).
 */
var fg_init = (function () {
	"use strict";

	var FGNS = "urn:x-cargo-flamegraph";
	var NONE = 0, PARENT = 1, HIDE = 2;
	var S = null;		/* the state of this document, set by init */

	function attr(el, name) {
		var v = el.getAttributeNS(FGNS, name);
		if (v === null || v === "")
			v = el.getAttribute("fg:" + name);
		return v === null ? "" : v;
	}

	function num(v, dflt) {
		var n = parseFloat(v);
		return isFinite(n) ? n : dflt;
	}

	function pct(n) {
		return (Math.round(n * 10000) / 10000) + "%";
	}

	function setText(el, s) {
		if (el && el.textContent !== s)
			el.textContent = s;
	}

	/* The frame's name: its <title> up to the last " (". */
	function nameOf(i) {
		var s = S.names[i], t, k;
		if (s !== undefined)
			return s;
		t = S.title[i] ? S.title[i].textContent : "";
		k = t.lastIndexOf(" (");
		s = k >= 0 ? t.substring(0, k) : t;
		S.names[i] = s;
		return s;
	}

	/* How many characters fit in frame i at its current width. */
	function fitChars(i) {
		var px = S.curW[i] / 100 * S.framesPx - S.labelPad;
		return px > 0 ? Math.floor(px / S.charPx) : 0;
	}

	function cutLabel(name, n) {
		var k;
		if (n < 3)
			return "";
		if (name.length <= n)
			return name;
		if (S.truncRight) {
			k = n - 2;
			/* never split a surrogate pair */
			if (k > 0 && /[\uDC00-\uDFFF]/.test(name.charAt(k)))
				k--;
			return name.substring(0, k) + "..";
		}
		k = name.length - (n - 2);
		if (/[\uDC00-\uDFFF]/.test(name.charAt(k)))
			k++;
		return ".." + name.substring(k);
	}

	function refit(i) {
		var n = fitChars(i), label;
		if (n === S.chars[i])
			return;
		S.chars[i] = n;
		label = cutLabel(nameOf(i), n);
		if (S.labels[i] === null)
			S.labels[i] = S.text[i] ? S.text[i].textContent : "";
		if (label !== S.labels[i]) {
			S.labels[i] = label;
			if (S.text[i])
				S.text[i].textContent = label;
		}
	}

	/* Give frame i class state st and, unless hidden, geometry x, w (%). */
	function apply(i, st, x, w) {
		var g = S.g[i];
		if (S.cls[i] !== st) {
			if (S.cls[i] === PARENT)
				g.classList.remove("parent");
			else if (S.cls[i] === HIDE)
				g.classList.remove("hide");
			if (st === PARENT)
				g.classList.add("parent");
			else if (st === HIDE)
				g.classList.add("hide");
			S.cls[i] = st;
		}
		if (st === HIDE)
			return;
		if (S.curX[i] !== x || S.curW[i] !== w) {
			S.curX[i] = x;
			S.curW[i] = w;
			S.rect[i].setAttribute("x", pct(x));
			S.rect[i].setAttribute("width", pct(w));
			if (S.text[i])
				S.text[i].setAttribute("x", pct(x + S.textPad));
		}
		refit(i);
	}

	function setParams(edit) {
		var u;
		try {
			u = new URL(window.location.href);
			edit(u.searchParams);
			window.history.replaceState(null, "", u.href);
		} catch (e) {
			/* a document without history (e.g. data: URL): no state */
		}
	}

	/* Zoom into frame z: ancestors dimmed, frames outside hidden, z and
	 * its descendants widened to the full width. */
	function zoom(z) {
		var zx = S.fx[z], zw = S.fw[z], zy = S.fy[z];
		var eps = S.total * 1e-9 + 1e-12, i, x, w, below;
		if (!(zw > 0))
			return;
		if (zy === S.rootY && zw >= S.total - eps) {
			/* the root frame: zooming into it is the whole graph */
			unzoom();
			return;
		}
		for (i = 0; i < S.n; i++) {
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
		setParams(function (p) {
			p.set("x", S.rect[z].getAttributeNS(FGNS, "x") ||
			    S.rect[z].getAttribute("fg:x") || String(zx));
			p.set("y", S.rect[z].getAttribute("y") || String(zy));
		});
	}

	function unzoom() {
		var i;
		for (i = 0; i < S.n; i++)
			apply(i, NONE, S.fx[i] / S.total * 100, S.fw[i] / S.total * 100);
		S.zoomed = -1;
		S.unzoom.classList.add("hide");
		setParams(function (p) {
			p.delete("x");
			p.delete("y");
		});
	}

	/* Give a matched frame its own colour back. */
	function unfill(i) {
		if (S.fill[i] === null)
			S.rect[i].removeAttribute("fill");
		else
			S.rect[i].setAttribute("fill", S.fill[i]);
		S.match[i] = 0;
	}

	function clearSearch() {
		var i;
		for (i = 0; i < S.n; i++) {
			if (S.match[i])
				unfill(i);
		}
		S.term = null;
		S.search.classList.remove("show");
		setText(S.matched, " ");
		setParams(function (p) {
			p.delete("s");
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
			return S.fx[a] - S.fx[b] || S.fw[b] - S.fw[a];
		});
		for (i = 0; i < hits.length; i++) {
			x = S.fx[hits[i]];
			e = x + S.fw[hits[i]];
			if (e <= end)
				continue;
			cover += e - Math.max(x, end);
			end = e;
		}
		S.term = term;
		S.search.classList.add("show");
		p = S.total > 0 ? 100 * cover / S.total : 0;
		setText(S.matched, "Matched: " + (p >= 100 ? "100" : p.toFixed(2)) + "%");
		setParams(function (q) {
			q.set("s", term);
		});
	}

	function askSearch() {
		var t = window.prompt("Search for frames matching a regular expression" +
		    (S.ignorecase ? " (ignoring case)" : "") +
		    "\nCtrl-I toggles case sensitivity", S.term === null ? "" : S.term);
		if (t === null)
			return;
		if (t === "")
			clearSearch();
		else
			search(t);
	}

	function toggleCase() {
		S.ignorecase = !S.ignorecase;
		S.ic.classList.toggle("show", S.ignorecase);
		setParams(function (p) {
			if (S.ignorecase)
				p.set("i", "1");
			else
				p.delete("i");
		});
		if (S.term !== null)
			search(S.term);
	}

	/*
	 * Lay out for the current width (fluid documents follow the window)
	 * and re-fit the labels of the visible frames that changed.  measure
	 * asks the layout for the root's width (exact when a scrollbar takes
	 * room); without it the window's width is used, which needs no layout.
	 */
	function layout(measure) {
		var w = 0, i;
		S.pending = false;
		if (S.fluid) {
			if (measure === true)
				w = S.root.getBoundingClientRect().width;
			if (!(w > 0))
				w = window.innerWidth;
			if (w !== S.viewW) {
				S.viewW = w;
				S.frames.setAttribute("width", Math.max(w - 2 * S.xpad, 1));
				for (i = 0; i < S.right.length; i++)
					S.right[i].el.setAttribute("x", w - S.right[i].off);
			}
		}
		S.framesPx = S.frames.width.baseVal.value;
		for (i = 0; i < S.n; i++)
			if (S.cls[i] !== HIDE)
				refit(i);
	}

	function relayout() {
		if (!S.pending) {
			S.pending = true;
			window.requestAnimationFrame(function () {
				layout(true);
			});
		}
	}

	function frameOf(node) {
		while (node && node !== S.frames) {
			if (node.fg_index !== undefined)
				return node.fg_index;
			node = node.parentNode;
		}
		return -1;
	}

	/*
	 * Show frame i's title in #details; when it would run into #matched,
	 * cut the name from the left and keep the counts.
	 */
	function details(i) {
		var t = S.title[i] ? S.title[i].textContent : nameOf(i);
		var head = S.nametype ? S.nametype + " " : "", s = head + t;
		var k = t.lastIndexOf(" ("), room, keep, tail;
		room = Math.floor(S.framesPx / S.charPx) -
		    (S.matched.textContent.length + 2);
		if (s.length > room && k > 0) {
			tail = t.substring(k);
			keep = room - head.length - tail.length - 2;
			if (keep > 0)
				s = head + ".." + t.substring(k - keep, k) + tail;
		}
		setText(S.details, s);
	}

	function collect() {
		var kids = S.frames.children, n = 0, i, g, c, r, tx, ti, first = true;
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
			S.curX[i] = S.fx[i] / S.total * 100;
			S.curW[i] = S.fw[i] / S.total * 100;
			if (first && S.text[i]) {
				/* the renderer's offset of a label from its frame */
				S.textPad = num(S.text[i].getAttribute("x"), 0) -
				    num(r.getAttribute("x"), 0);
				first = false;
			}
		}
	}

	function restore() {
		var p, x, y, s, i, r;
		try {
			p = new URL(window.location.href).searchParams;
		} catch (e) {
			return;
		}
		if (p.get("i") === "1") {
			S.ignorecase = true;
			S.ic.classList.add("show");
		}
		x = p.get("x");
		y = p.get("y");
		if (x !== null && y !== null) {
			for (i = 0; i < S.n; i++) {
				r = S.rect[i];
				if ((r.getAttributeNS(FGNS, "x") || r.getAttribute("fg:x")) === x &&
				    r.getAttribute("y") === y) {
					zoom(i);
					break;
				}
			}
		}
		s = p.get("s");
		if (s !== null && s !== "")
			search(s);
	}

	/*
	 * Pixels a label character takes: fg:fontsize * fg:fontwidth, or more
	 * when the font the browser picked for the labels is wider.  Measured
	 * once, on a canvas, so that it costs no layout of the document.
	 */
	function charWidth() {
		var cw = S.fontsize * S.fontwidth, sample, el, st, ctx, w;
		sample = "abcdefghijklmnopqrstuvwxyz_:ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
		try {
			el = S.text[0] || S.frames;
			st = window.getComputedStyle(el);
			ctx = document.createElementNS("http://www.w3.org/1999/xhtml",
			    "canvas").getContext("2d");
			ctx.font = st.fontStyle + " " + st.fontWeight + " " +
			    st.fontSize + " " + st.fontFamily;
			w = ctx.measureText(sample).width / sample.length;
			if (w > cw)
				cw = w;
		} catch (e) {
			/* keep the configured width */
		}
		return cw > 0 ? cw : 7;
	}

	function stub(id) {
		var el = document.getElementById(id);
		if (!el) {
			el = document.createElementNS("http://www.w3.org/2000/svg", "text");
			el.setAttribute("class", "hide");
		}
		return el;
	}

	function init(evt) {
		var root = document.documentElement, frames, nominal, ids, i, el;
		if (S !== null)
			return;
		frames = document.getElementById("frames");
		if (!frames)
			return;
		S = {
			root: root,
			frames: frames,
			details: stub("details"),
			unzoom: stub("unzoom"),
			search: stub("search"),
			ic: stub("ignorecase"),
			matched: stub("matched"),
			nametype: attr(root, "nametype"),
			fontsize: num(attr(root, "fontsize"), 12),
			fontwidth: num(attr(root, "fontwidth"), 0.59),
			xpad: num(attr(root, "xpad"), 10),
			inverted: attr(root, "inverted") === "1",
			fluid: attr(root, "fluid") === "1",
			truncRight: attr(root, "truncate-right") === "1",
			searchcolor: attr(root, "searchcolor") || "rgb(230,0,230)",
			total: num(attr(root, "total") || attr(frames, "total"), 0),
			textPad: 0,
			labelPad: 3,
			zoomed: -1,
			rootY: 0,
			viewW: -1,
			term: null,
			ignorecase: false,
			pending: false,
			right: []
		};
		if (!(S.total > 0))
			S.total = 1;
		collect();
		S.charPx = charWidth();

		if (S.fluid) {
			/* the text anchored to the right edge keeps its distance */
			nominal = num(root.getAttribute("width"), 0);
			ids = ["search", "ignorecase", "matched"];
			for (i = 0; i < ids.length; i++) {
				el = document.getElementById(ids[i]);
				if (el && nominal > 0)
					S.right.push({ el: el,
					    off: nominal - num(el.getAttribute("x"), 0) });
			}
			root.removeAttribute("width");
			root.removeAttribute("viewBox");
			window.addEventListener("resize", relayout);
		}
		layout(false);
		if (S.fluid) {
			/* once painted, check the width against the real layout */
			window.requestAnimationFrame(function () {
				window.setTimeout(relayout, 0);
			});
		}

		frames.addEventListener("mouseover", function (e) {
			var i = frameOf(e.target);
			if (i >= 0)
				details(i);
		});
		frames.addEventListener("mouseout", function (e) {
			if (frameOf(e.target) >= 0)
				setText(S.details, " ");
		});
		frames.addEventListener("click", function (e) {
			var i = frameOf(e.target);
			if (i >= 0)
				zoom(i);
		});
		S.unzoom.addEventListener("click", unzoom);
		S.search.addEventListener("click", function () {
			if (S.term !== null)
				clearSearch();
			else
				askSearch();
		});
		S.ic.addEventListener("click", toggleCase);
		window.addEventListener("keydown", function (e) {
			var k = e.key;
			if (k === "F3" || ((e.ctrlKey || e.metaKey) && (k === "f" || k === "F"))) {
				e.preventDefault();
				askSearch();
			} else if ((e.ctrlKey || e.metaKey) && (k === "i" || k === "I")) {
				e.preventDefault();
				toggleCase();
			} else if (k === "Escape" && S.zoomed >= 0) {
				unzoom();
			}
		});
		restore();
		root.setAttribute("data-fg-ready", "1");
	}

	return init;
})();
