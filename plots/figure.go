package plots

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// figureDPI is the resolution of every rendered figure: 12in at 96 dpi is
// 1152 pixels, about what matplotlib's figsize=(12, 4.5) gives on screen.
const figureDPI = 96

// Drawing constants shared by the curve figures.
const (
	// maxGlyphPoints is the largest number of points a curve may have and
	// still get a marker on each point; beyond it markers only clutter.
	maxGlyphPoints = 30
	// maxEpochTicks bounds the number of labelled ticks on the epoch axis.
	maxEpochTicks = 10
	// maxValueTicks bounds the number of labelled ticks on the value axis.
	maxValueTicks = 8
	// legendSamples is the number of points sampled along each line segment
	// when looking for the emptiest corner to put the legend in.
	legendSamples = 16
	// flatRange is the half height of the value axis around a flat curve,
	// relative to its value (at least 1).
	flatRange = 0.05
)

// Colors are matplotlib's first two "tab10" colors, so the figures look like
// the ones the Keras courses draw.
var (
	colorFirst  = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff} // tab:blue
	colorSecond = color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff} // tab:orange
)

// curve is one named line of a panel: y[i] is the value at epoch x[i].
// Non-finite values (a diverged loss) leave a gap in the line.
type curve struct {
	name   string
	x, y   []float64
	color  color.Color
	dashes []vg.Length
}

// sansFont returns Liberation Sans (a metric clone of Arial, close to
// matplotlib's DejaVu Sans look) at the given size.
func sansFont(size vg.Length, weight xfont.Weight) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Weight: weight, Size: size}
}

// newPanel returns a plot titled title with the x axis labelled "epoch" and
// the y axis labelled yLabel, drawing curves over the epochs in xs (which
// fix the x range even when a curve has no finite value). A panel whose
// curves hold no data still draws its axes.
func newPanel(title, yLabel string, xs []float64, curves []curve) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sansFont(13, xfont.WeightNormal)
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sansFont(11, xfont.WeightNormal)
		a.Tick.Label.Font = sansFont(9.5, xfont.WeightNormal)
	}
	p.X.Tick.Marker = niceTicks{max: maxEpochTicks, whole: true}
	p.Y.Tick.Marker = niceTicks{max: maxValueTicks}
	p.Legend.TextStyle.Font = sansFont(10, xfont.WeightNormal)
	p.Legend.Padding = vg.Points(2.5)

	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{Y: 0xe0}
	grid.Horizontal.Color = color.Gray{Y: 0xe0}
	p.Add(grid)

	legend := &framedLegend{legend: p.Legend}
	haveData, haveEntries := false, false
	for _, c := range curves {
		if len(c.y) == 0 {
			continue
		}
		haveEntries = true
		style := draw.LineStyle{Color: c.color, Width: vg.Points(1.5), Dashes: c.dashes}
		glyph := draw.GlyphStyle{Color: c.color, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}
		glyphs := len(c.y) <= maxGlyphPoints
		for _, seg := range finiteSegments(c.x, c.y) {
			haveData = true
			legend.lines = append(legend.lines, seg)
			if len(seg) > 1 {
				l, err := plotter.NewLine(seg)
				if err != nil {
					return nil, fmt.Errorf("panel %q, curve %q: %w", title, c.name, err)
				}
				l.LineStyle = style
				p.Add(l)
			}
			if glyphs || len(seg) == 1 {
				s, err := plotter.NewScatter(seg)
				if err != nil {
					return nil, fmt.Errorf("panel %q, curve %q: %w", title, c.name, err)
				}
				s.GlyphStyle = glyph
				p.Add(s)
			}
		}
		thumbs := []plot.Thumbnailer{&plotter.Line{LineStyle: style}}
		if glyphs {
			thumbs = append(thumbs, &plotter.Scatter{GlyphStyle: glyph})
		}
		legend.legend.Add(c.name, thumbs...)
	}

	// The epoch range comes from the epochs, not from the finite data.
	if len(xs) > 0 {
		p.X.Min, p.X.Max = xs[0], xs[len(xs)-1]
		if p.X.Min == p.X.Max {
			p.X.Min -= 0.5
			p.X.Max += 0.5
		}
	} else {
		p.X.Min, p.X.Max = 1, 2
	}
	switch {
	case !haveData:
		p.Y.Min, p.Y.Max = 0, 1
	case p.Y.Min == p.Y.Max:
		// A flat curve (accuracy stuck at 1) gets a narrow range around
		// its value, not gonum's ±1.
		d := flatRange * math.Max(math.Abs(p.Y.Min), 1)
		p.Y.Min, p.Y.Max = p.Y.Min-d, p.Y.Max+d
	}
	if haveEntries {
		p.Add(legend)
	}
	return p, nil
}

// finiteSegments splits the points (x[i], y[i]) into runs of finite values.
func finiteSegments(x, y []float64) []plotter.XYs {
	var segs []plotter.XYs
	var cur plotter.XYs
	for i := range y {
		if math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			if len(cur) > 0 {
				segs = append(segs, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, plotter.XY{X: x[i], Y: y[i]})
	}
	if len(cur) > 0 {
		segs = append(segs, cur)
	}
	return segs
}

// niceTicks labels at most max ticks spaced by 1, 2, 2.5 or 5 times a
// power of ten (1, 2 or 5 for whole numbers only), like matplotlib's
// default locator; the epoch axis uses whole numbers.
type niceTicks struct {
	max   int
	whole bool
}

// Ticks implements plot.Ticker.
func (t niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if t.whole {
		lo, hi = math.Ceil(lo), math.Floor(hi)
	}
	if hi < lo || math.IsInf(lo, 0) || math.IsInf(hi, 0) || math.IsNaN(lo) || math.IsNaN(hi) {
		return nil
	}
	mantissas := []float64{1, 2, 2.5, 5}
	if t.whole {
		mantissas = []float64{1, 2, 5}
	}
	const eps = 1e-9
	count := func(step float64) float64 {
		return math.Floor(hi/step+eps) - math.Ceil(lo/step-eps) + 1
	}
	exp := math.Floor(math.Log10((hi - lo) / float64(t.max)))
	if hi == lo {
		exp = math.Floor(math.Log10(math.Max(math.Abs(lo), 1)))
	}
	var step, mant float64
search:
	for ; ; exp++ {
		for _, m := range mantissas {
			step, mant = m*math.Pow(10, exp), m
			if (!t.whole || step >= 1) && count(step) <= float64(t.max) {
				break search
			}
		}
	}
	decimals := 0
	if !t.whole {
		decimals = max(0, -int(exp))
		if mant == 2.5 {
			decimals++
		}
	}
	var ticks []plot.Tick
	for i := math.Ceil(lo/step - eps); i <= math.Floor(hi/step+eps); i++ {
		v := i * step
		if v == 0 {
			v = 0 // not -0
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64)})
	}
	return ticks
}

// framedLegend draws a legend in a white, half-opaque frame (like
// matplotlib's) in the corner of the data area that the lines cross least.
// It is added as the last plotter so it is drawn over the lines.
type framedLegend struct {
	legend plot.Legend
	lines  []plotter.XYs // finite data, in data coordinates
}

// Plot implements plot.Plotter.
func (f *framedLegend) Plot(c draw.Canvas, p *plot.Plot) {
	const (
		pad    = vg.Length(5)
		margin = vg.Length(6)
	)
	size := f.legend.Rectangle(c).Size()
	// The legend's own measure leaves its last letters on the frame.
	w, h := size.X+3*pad, size.Y+2*pad

	boxAt := func(top, left bool) vg.Rectangle {
		var r vg.Rectangle
		if left {
			r.Min.X = c.Min.X + margin
		} else {
			r.Min.X = c.Max.X - margin - w
		}
		if top {
			r.Min.Y = c.Max.Y - margin - h
		} else {
			r.Min.Y = c.Min.Y + margin
		}
		r.Max = vg.Point{X: r.Min.X + w, Y: r.Min.Y + h}
		return r
	}

	// Candidate corners in order of preference; the first one crossed by
	// the fewest sampled line points wins.
	trX, trY := p.Transforms(&c)
	best, bestHits := vg.Rectangle{}, math.MaxInt
	for _, corner := range [][2]bool{{true, false}, {false, false}, {true, true}, {false, true}} {
		r := boxAt(corner[0], corner[1])
		hits := 0
		for _, xys := range f.lines {
			for i := range xys {
				p0 := vg.Point{X: trX(xys[i].X), Y: trY(xys[i].Y)}
				p1 := p0
				if i+1 < len(xys) {
					p1 = vg.Point{X: trX(xys[i+1].X), Y: trY(xys[i+1].Y)}
				}
				for k := range legendSamples {
					t := vg.Length(k) / legendSamples
					pt := vg.Point{X: p0.X + t*(p1.X-p0.X), Y: p0.Y + t*(p1.Y-p0.Y)}
					if pt.X >= r.Min.X && pt.X <= r.Max.X && pt.Y >= r.Min.Y && pt.Y <= r.Max.Y {
						hits++
					}
				}
			}
		}
		if hits < bestHits {
			best, bestHits = r, hits
		}
	}

	c.SetColor(color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xcc})
	c.Fill(best.Path())
	c.SetLineStyle(draw.LineStyle{Color: color.Gray{Y: 0xcc}, Width: vg.Points(0.75)})
	c.Stroke(best.Path())

	// Legend.Draw starts the first entry one font descent below the top of
	// its canvas; raise the canvas by as much to centre the entries.
	descent := f.legend.TextStyle.FontExtents().Descent
	inner := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: best.Min.X + pad, Y: best.Min.Y + pad + descent},
		Max: vg.Point{X: best.Max.X - pad, Y: best.Max.Y - pad + descent},
	}}
	l := f.legend
	l.Top, l.Left = true, true
	l.Draw(inner)
}

// renderFigure draws panels side by side in equal tiles under a
// bold figure title (omitted when empty), on a white w×h canvas at
// figureDPI, and writes it to path as a PNG, atomically.
func renderFigure(path string, w, h vg.Length, title string, panels []*plot.Plot) error {
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(figureDPI))
	dc := draw.New(img)

	const edge = vg.Length(0.12 * vg.Inch)
	body := dc
	if title != "" {
		sty := plot.New().Title.TextStyle // a plain-text handler with the default fonts
		sty.Font = sansFont(15, xfont.WeightBold)
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
		dc.FillText(sty, vg.Point{X: dc.Center().X, Y: dc.Max.Y - edge}, title)
		body = draw.Crop(dc, 0, 0, 0, -(edge + sty.Rectangle(title).Size().Y + vg.Points(4)))
	}

	tiles := draw.Tiles{
		Rows: 1, Cols: len(panels),
		PadX:    vg.Length(0.45 * vg.Inch),
		PadTop:  edge,
		PadLeft: edge, PadRight: edge, PadBottom: edge,
	}
	// Each panel gets its own equal tile. plot.Align is not used: it lines
	// up the data areas, which moves an axis line by the few points a
	// panel's markers and tick labels pad its data area, so the two x axes
	// would no longer share a baseline.
	for i, p := range panels {
		p.Draw(tiles.At(body, i, 0))
	}

	return writeFileAtomic(path, func(wr io.Writer) error {
		if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(wr); err != nil {
			return fmt.Errorf("encode PNG: %w", err)
		}
		return nil
	})
}
