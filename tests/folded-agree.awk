# folded-agree.awk: how far two folded files agree, by weight.
#   awk [-v limit=0.99] [-v top=5] -f folded-agree.awk NATIVE.folded REFERENCE.folded
# Agreement = sum over stacks of min(weight A, weight B) / the larger total.
# Prints the figure and the stacks that differ most; exits 1 below limit.
# With -v frames=N, also the N frame names whose weights (the weight of the
# stacks holding the name) differ most: the names one side gives and the
# other does not.
function add(line, arr,   i, w) {
	i = match(line, / [0-9]+$/); if (!i) return 0
	w = substr(line, i + 1) + 0; arr[substr(line, 1, i - 1)] += w; return w
}
function framew(stack, w, arr,   n, i, parts, once) {
	n = split(stack, parts, ";")
	for (i = 1; i <= n; i++) if (!(parts[i] in once)) { once[parts[i]] = 1; arr[parts[i]] += w }
}
FNR == NR { ta += add($0, A); next }
{ tb += add($0, B) }
END {
	if (limit == "") limit = 0.99
	if (top == "") top = 5
	for (k in A) keys[k] = 1
	for (k in B) keys[k] = 1
	for (k in keys) { a = A[k] + 0; b = B[k] + 0; m += (a < b ? a : b) }
	t = ta > tb ? ta : tb
	if (t == 0) { print "no samples"; exit 1 }
	printf "agreement %.4f (common weight %.0f of %.0f native, %.0f perf script)\n", m / t, m, ta, tb
	for (k in keys) { d = A[k] - B[k]; if (d < 0) d = -d; if (d > 0) diff[k] = d }
	for (j = 0; j < top; j++) {
		best = ""; bd = 0
		for (k in diff) if (diff[k] > bd) { bd = diff[k]; best = k }
		if (best == "") break
		printf "  differs by %.0f (native %.0f, perf script %.0f): %s\n", bd, A[best], B[best], substr(best, 1, 240)
		delete diff[best]
	}
	if (frames > 0) {
		for (k in A) framew(k, A[k], FA)
		for (k in B) framew(k, B[k], FB)
		for (f in FA) names[f] = 1
		for (f in FB) names[f] = 1
		for (f in names) { d = FA[f] - FB[f]; if (d < 0) d = -d; if (d > 0) fd[f] = d }
		for (j = 0; j < frames; j++) {
			best = ""; bd = 0
			for (f in fd) if (fd[f] > bd) { bd = fd[f]; best = f }
			if (best == "") break
			printf "  frame differs by %.2f%% (native %.0f, perf script %.0f): %s\n", 100 * bd / t, FA[best], FB[best], substr(best, 1, 200)
			delete fd[best]
		}
	}
	exit (m / t >= limit) ? 0 : 1
}
