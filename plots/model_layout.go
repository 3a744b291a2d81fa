package plots

import "slices"

// A layered drawing of a model graph, as Graphviz's dot makes one (Sugiyama's method,
// simply done): the edges that close a cycle (a shared layer called again further down)
// turned round, as dot turns them, so that the graph is acyclic, and a layer's edge to
// itself left to be drawn beside its box; each layer on a rank one below its lowest
// input (inputs on rank 0, at the top);
// an arrow that skips ranks passes through a point on each rank between, so that it
// goes round the boxes there; the boxes of a rank ordered by the mean position of their
// inputs and outputs (sweeps down and up); then each box placed as near as it can be to
// the mean of its neighbours' centres without overlapping its rank's others.

// layoutNode is a box of the graph, or a point (dummy) an arrow passes on a rank.
type layoutNode struct {
	node     int // index in ModelGraph.Nodes; -1 for a dummy
	rank     int
	w        float64 // width
	x        float64 // centre
	up, down []int   // neighbours on the rank above and below
}

// layout is the drawing's geometry: nodes[:len(g.Nodes)] are the graph's, in its order.
type layout struct {
	nodes  []layoutNode
	ranks  [][]int // each rank's nodes, left to right
	chains [][]int // per edge of g.Edges: its nodes from the upper end to the lower through the dummies; nil for a self-loop
	back   []bool  // per edge: turned round (its chain runs from To to From)
}

const (
	layoutGap      = 24 // between two boxes of a rank
	layoutDummyW   = 8  // the width a passing arrow takes on a rank
	layoutSweeps   = 6  // ordering sweeps (each down and up)
	layoutPlacings = 12 // placement sweeps (each down and up)
)

// newLayout lays g out; widths are the boxes' widths, in g.Nodes' order.
func newLayout(g ModelGraph, widths []float64) *layout {
	idx := g.index()
	rank, back := ranks(g)
	l := &layout{back: back}
	for i := range g.Nodes {
		l.nodes = append(l.nodes, layoutNode{node: i, rank: rank[i], w: widths[i]})
	}
	for e, edge := range g.Edges {
		from, to := idx[edge.From], idx[edge.To]
		if from == to {
			l.chains = append(l.chains, nil)
			continue
		}
		if back[e] {
			from, to = to, from
		}
		chain := []int{from}
		for r := rank[from] + 1; r < rank[to]; r++ {
			l.nodes = append(l.nodes, layoutNode{node: -1, rank: r, w: layoutDummyW})
			chain = append(chain, len(l.nodes)-1)
		}
		chain = append(chain, to)
		for k := 1; k < len(chain); k++ {
			a, b := chain[k-1], chain[k]
			l.nodes[a].down = append(l.nodes[a].down, b)
			l.nodes[b].up = append(l.nodes[b].up, a)
		}
		l.chains = append(l.chains, chain)
	}
	top := 0
	for _, n := range l.nodes {
		top = max(top, n.rank)
	}
	l.ranks = make([][]int, top+1)
	for i, n := range l.nodes {
		l.ranks[n.rank] = append(l.ranks[n.rank], i)
	}
	l.order()
	l.place()
	return l
}

// index maps the nodes' names to their indices.
func (g ModelGraph) index() map[string]int {
	idx := map[string]int{}
	for i, n := range g.Nodes {
		idx[n.Name] = i
	}
	return idx
}

// ranks gives each node the rank one below its lowest input (the longest path from the
// inputs), after turning round the edges that close a cycle: those a depth-first walk
// from the inputs (then from the other nodes, in order) meets going back to a node it
// is still inside. back marks them; a self-loop is left out.
func ranks(g ModelGraph) (rank []int, back []bool) {
	idx := g.index()
	n := len(g.Nodes)
	out := make([][]int, n) // edge indices by source
	indeg := make([]int, n)
	for e, edge := range g.Edges {
		from, to := idx[edge.From], idx[edge.To]
		if from != to {
			out[from] = append(out[from], e)
			indeg[to]++
		}
	}
	back = make([]bool, len(g.Edges))
	const (
		unseen = iota
		inside
		done
	)
	state := make([]int, n)
	var visit func(u int)
	visit = func(u int) {
		state[u] = inside
		for _, e := range out[u] {
			switch v := idx[g.Edges[e].To]; state[v] {
			case unseen:
				visit(v)
			case inside:
				back[e] = true
			}
		}
		state[u] = done
	}
	for _, sources := range []bool{true, false} {
		for i := range n {
			if state[i] == unseen && (indeg[i] == 0) == sources {
				visit(i)
			}
		}
	}
	// The longest path over the edges as turned, by Kahn's order.
	down := make([][]int, n)
	indeg = make([]int, n)
	for e, edge := range g.Edges {
		from, to := idx[edge.From], idx[edge.To]
		if from == to {
			continue
		}
		if back[e] {
			from, to = to, from
		}
		down[from] = append(down[from], to)
		indeg[to]++
	}
	rank = make([]int, n)
	var queue []int
	for i := range n {
		if indeg[i] == 0 {
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, v := range down[u] {
			rank[v] = max(rank[v], rank[u]+1)
			if indeg[v]--; indeg[v] == 0 {
				queue = append(queue, v)
			}
		}
	}
	return rank, back
}

// order sorts each rank by the mean position of its nodes' neighbours on the rank above
// (sweeping down), then below (sweeping up); a node without such neighbours keeps its
// place.
func (l *layout) order() {
	pos := make([]float64, len(l.nodes))
	setPos := func(r int) {
		for i, v := range l.ranks[r] {
			pos[v] = float64(i)
		}
	}
	for r := range l.ranks {
		setPos(r)
	}
	sortBy := func(r int, neighbours func(v int) []int) {
		key := map[int]float64{}
		for _, v := range l.ranks[r] {
			key[v] = pos[v]
			if ns := neighbours(v); len(ns) > 0 {
				sum := 0.0
				for _, u := range ns {
					sum += pos[u]
				}
				key[v] = sum / float64(len(ns))
			}
		}
		slices.SortStableFunc(l.ranks[r], func(a, b int) int {
			switch {
			case key[a] < key[b]:
				return -1
			case key[a] > key[b]:
				return 1
			}
			return 0
		})
		setPos(r)
	}
	for range layoutSweeps {
		for r := 1; r < len(l.ranks); r++ {
			sortBy(r, func(v int) []int { return l.nodes[v].up })
		}
		for r := len(l.ranks) - 2; r >= 0; r-- {
			sortBy(r, func(v int) []int { return l.nodes[v].down })
		}
	}
}

// place sets the centres: each rank packed, then moved towards the mean centre of the
// neighbours above (sweeping down) and below (sweeping up), as near as the boxes' order
// and widths allow (placeRank); finally shifted so that the leftmost edge is at 0.
func (l *layout) place() {
	for _, rank := range l.ranks {
		want := make([]float64, len(rank))
		l.placeRank(rank, want)
	}
	toward := func(rank []int, neighbours func(v int) []int) {
		want := make([]float64, len(rank))
		for i, v := range rank {
			want[i] = l.nodes[v].x
			if ns := neighbours(v); len(ns) > 0 {
				sum := 0.0
				for _, u := range ns {
					sum += l.nodes[u].x
				}
				want[i] = sum / float64(len(ns))
			}
		}
		l.placeRank(rank, want)
	}
	for range layoutPlacings {
		for r := 1; r < len(l.ranks); r++ {
			toward(l.ranks[r], func(v int) []int { return l.nodes[v].up })
		}
		for r := len(l.ranks) - 2; r >= 0; r-- {
			toward(l.ranks[r], func(v int) []int { return l.nodes[v].down })
		}
	}
	left := 0.0
	for i, n := range l.nodes {
		if i == 0 || n.x-n.w/2 < left {
			left = n.x - n.w/2
		}
	}
	for i := range l.nodes {
		l.nodes[i].x -= left
	}
}

// placeRank sets the centres of a rank's nodes, in their order, nearest (least squares)
// to want without two overlapping: with each node's offset from the first fixed by the
// widths and gaps before it, that is an isotonic regression, solved by pooling adjacent
// violators.
func (l *layout) placeRank(rank []int, want []float64) {
	if len(rank) == 0 {
		return
	}
	offset := make([]float64, len(rank))
	for i := 1; i < len(rank); i++ {
		a, b := l.nodes[rank[i-1]], l.nodes[rank[i]]
		offset[i] = offset[i-1] + a.w/2 + layoutGap + b.w/2
	}
	type block struct {
		sum   float64
		count int
	}
	var blocks []block
	for i := range rank {
		blocks = append(blocks, block{want[i] - offset[i], 1})
		for len(blocks) > 1 {
			a, b := blocks[len(blocks)-2], blocks[len(blocks)-1]
			if a.sum/float64(a.count) <= b.sum/float64(b.count) {
				break
			}
			blocks = append(blocks[:len(blocks)-2], block{a.sum + b.sum, a.count + b.count})
		}
	}
	i := 0
	for _, b := range blocks {
		y := b.sum / float64(b.count)
		for range b.count {
			l.nodes[rank[i]].x = y + offset[i]
			i++
		}
	}
}
