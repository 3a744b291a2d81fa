package plots

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
)

// The SVG's geometry, in pixels: boxes of three lines of 12 px monospace text (about
// 7.2 px a character), ranks svgRankGap apart.
const (
	svgCharW   = 7.2
	svgLineH   = 18
	svgPad     = 8
	svgBoxH    = 3*svgLineH + 2*svgPad - 6
	svgRankGap = 44
	svgMargin  = 16
	svgTitleH  = 28
	svgMinBoxW = 140
	svgLoopW   = 28 // how far a self-loop reaches right of its box
)

// WriteSVG draws g as an SVG picture, without Graphviz: the layers as boxes (name and
// class on top, then the input and output shapes), the inputs at the top, an arrow for
// each edge (see model_layout.go).
func (g ModelGraph) WriteSVG(w io.Writer) error {
	if err := g.check(); err != nil {
		return err
	}
	lines := make([][3]string, len(g.Nodes))
	widths := make([]float64, len(g.Nodes))
	for i, n := range g.Nodes {
		lines[i] = [3]string{n.Name + " (" + n.Class + ")", "Input shape:  " + n.inputShape(), "Output shape: " + n.OutputShape}
		if len(n.InputShapes) == 0 { // an input: its shape only, as Keras draws it
			lines[i] = [3]string{lines[i][0], lines[i][2]}
		}
		longest := 0
		for _, s := range lines[i] {
			longest = max(longest, len([]rune(s)))
		}
		widths[i] = max(svgMinBoxW, float64(longest)*svgCharW+2*svgPad)
	}
	l := newLayout(g, widths)
	width := 0.0
	for _, n := range l.nodes {
		width = max(width, n.x+n.w/2+svgLoopW)
	}
	width = max(width, float64(len([]rune(g.Name)))*svgCharW*1.2) + 2*svgMargin
	top := func(rank int) float64 { return svgMargin + svgTitleH + float64(rank)*(svgBoxH+svgRankGap) }
	height := top(len(l.ranks)) - svgRankGap + svgMargin

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="monospace" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, "<title>%s</title>\n", svgText(g.Name))
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>` + "\n")
	fmt.Fprintf(&b, `<rect width="%.0f" height="%.0f" fill="white"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="14" font-weight="bold">%s</text>`+"\n", svgMargin, svgMargin+14, svgText(g.Name))

	// Arrows first, so that boxes lie over their ends. An arrow leaves its box's
	// bottom and enters the next one's top at points spread by where it goes.
	starts, ends := l.spread()
	for e, chain := range l.chains {
		var path string
		if chain == nil { // a layer fed its own output: a loop out of its right side and back
			n := l.nodes[g.index()[g.Edges[e].From]]
			x, y := svgMargin+n.x+n.w/2, top(n.rank)
			path = fmt.Sprintf("M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f", x, y+svgBoxH*0.7, x+svgLoopW, y+svgBoxH*0.9, x+svgLoopW, y+svgBoxH*0.1, x, y+svgBoxH*0.3)
		} else {
			path = l.edgePath(e, chain, starts[e], ends[e], top)
		}
		fmt.Fprintf(&b, `<path class="edge" d="%s" fill="none" stroke="#444" stroke-width="1.2" marker-end="url(#arrow)"><title>%s</title></path>`+"\n",
			path, svgText(g.Edges[e].From+" → "+g.Edges[e].To))
	}
	for i, n := range g.Nodes {
		ln := l.nodes[i]
		x, y := svgMargin+ln.x-ln.w/2, top(ln.rank)
		head := "#e8eef7"
		if n.Class == "InputLayer" {
			head = "#fdf0d5"
		}
		fmt.Fprintf(&b, `<g class="layer" id="%s">`, svgText("layer-"+n.Name))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" rx="3" fill="white" stroke="#333"/>`, x, y, ln.w, svgBoxH)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" rx="3" fill="%s" stroke="#333"/>`, x, y, ln.w, svgLineH+svgPad/2, head)
		for k, s := range lines[i] {
			if s == "" {
				continue
			}
			weight := ""
			if k == 0 {
				weight = ` font-weight="bold"`
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f"%s xml:space="preserve">%s</text>`, x+svgPad, y+svgPad+float64(k)*svgLineH+6, weight, svgText(s))
		}
		b.WriteString("</g>\n")
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// edgePath is the SVG path of edge e along chain (from its upper end to its lower, see
// layout.chains), its ends start and end off the boxes' centres: a curve from rank to
// rank, straight down through each rank it passes; drawn from From to To, so upwards for
// an edge turned round, with the arrow at To.
func (l *layout) edgePath(e int, chain []int, start, end float64, top func(rank int) float64) string {
	type point struct{ x, y float64 }
	type seg struct {
		a, b    point
		through bool // straight down through a dummy's rank, not a curve between ranks
	}
	var segs []seg
	first := l.nodes[chain[0]]
	p := point{svgMargin + first.x + start, top(first.rank) + svgBoxH}
	for k := 1; k < len(chain); k++ {
		n := l.nodes[chain[k]]
		q := point{svgMargin + n.x, top(n.rank)}
		if k == len(chain)-1 {
			q.x += end
		}
		segs = append(segs, seg{a: p, b: q})
		p = q
		if n.node < 0 { // a dummy: straight down through its rank
			q = point{p.x, p.y + svgBoxH}
			segs = append(segs, seg{a: p, b: q, through: true})
			p = q
		}
	}
	curve := func(a, b point, through bool) string {
		if through {
			return fmt.Sprintf(" L%.1f,%.1f", b.x, b.y)
		}
		dy := svgRankGap / 2.0
		if b.y < a.y {
			dy = -dy
		}
		return fmt.Sprintf(" C%.1f,%.1f %.1f,%.1f %.1f,%.1f", a.x, a.y+dy, b.x, b.y-dy, b.x, b.y)
	}
	var path strings.Builder
	if !l.back[e] {
		fmt.Fprintf(&path, "M%.1f,%.1f", segs[0].a.x, segs[0].a.y)
		for _, s := range segs {
			path.WriteString(curve(s.a, s.b, s.through))
		}
		return path.String()
	}
	last := segs[len(segs)-1].b
	fmt.Fprintf(&path, "M%.1f,%.1f", last.x, last.y)
	for k := len(segs) - 1; k >= 0; k-- {
		path.WriteString(curve(segs[k].b, segs[k].a, segs[k].through))
	}
	return path.String()
}

// spread gives each edge the horizontal offsets of its start on its first box and of its
// end on its last, so that the arrows leaving (entering) one box are side by side, in
// the order of where they go (come from).
func (l *layout) spread() (starts, ends []float64) {
	starts, ends = make([]float64, len(l.chains)), make([]float64, len(l.chains))
	out, in := map[int][]int{}, map[int][]int{}
	for e, c := range l.chains {
		if c == nil {
			continue
		}
		out[c[0]] = append(out[c[0]], e)
		in[c[len(c)-1]] = append(in[c[len(c)-1]], e)
	}
	set := func(v int, es []int, offs []float64, other func(e int) int) {
		slices.SortStableFunc(es, func(a, b int) int {
			xa, xb := l.nodes[other(a)].x, l.nodes[other(b)].x
			switch {
			case xa < xb:
				return -1
			case xa > xb:
				return 1
			}
			return 0
		})
		step := min(16, (l.nodes[v].w-16)/float64(len(es)))
		for i, e := range es {
			offs[e] = (float64(i) - float64(len(es)-1)/2) * step
		}
	}
	for v, es := range out {
		set(v, es, starts, func(e int) int { return l.chains[e][1] })
	}
	for v, es := range in {
		set(v, es, ends, func(e int) int { c := l.chains[e]; return c[len(c)-2] })
	}
	return starts, ends
}

// svgText escapes s for SVG text and attribute values.
func svgText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) //nolint:errcheck // a strings.Builder does not fail
	return b.String()
}
