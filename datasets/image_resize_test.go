package datasets

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestResizeBilinearByHand checks tf.image.resize(bilinear, antialias=False)
// values worked out by hand with half-pixel centers: output pixel i samples
// the source at (i + 0.5) × in/out − 0.5, clamped to the edge pixels.
func TestResizeBilinearByHand(t *testing.T) {
	tests := []struct {
		name       string
		src        []uint8
		h, w, c    int
		outH, outW int
		want       []float32
	}{
		{
			// 2×2 → 4×4: source coordinates -0.25, 0.25, 0.75, 1.25, so the
			// weights are edge, 0.25, 0.75, edge. Row 0 is the top row
			// interpolated along x; row 1 mixes 25% of the bottom row in.
			name: "upsample 2x2 to 4x4", src: []uint8{0, 60, 120, 240}, h: 2, w: 2, c: 1, outH: 4, outW: 4,
			want: []float32{
				0, 15, 45, 60,
				30, 48.75, 86.25, 105,
				90, 116.25, 168.75, 195,
				120, 150, 210, 240,
			},
		},
		{
			// 1×4 → 1×2: source coordinates 0.5 and 2.5, the means of pairs.
			name: "downsample 1x4 to 1x2", src: []uint8{0, 10, 20, 40}, h: 1, w: 4, c: 1, outH: 1, outW: 2,
			want: []float32{5, 30},
		},
		{
			// 1×3 → 1×2 with 3 channels: coordinates 0.25 and 1.75.
			name: "three channels", src: []uint8{0, 100, 200, 40, 60, 80, 80, 20, 0}, h: 1, w: 3, c: 3, outH: 1, outW: 2,
			want: []float32{10, 90, 170, 70, 30, 20},
		},
		{
			name: "same size is a copy", src: []uint8{1, 2, 3, 4, 5, 6}, h: 2, w: 3, c: 1, outH: 2, outW: 3,
			want: []float32{1, 2, 3, 4, 5, 6},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := resizeBilinear(tc.src, tc.w, tc.c, window{height: tc.h, width: tc.w}, tc.outH, tc.outW)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got  %v\nwant %v", got, tc.want)
			}
		})
	}
}

// TestResizeBilinearAgainstReference compares with an independent float64
// formulation of half-pixel bilinear interpolation (continuous coordinates,
// clamped at the borders) on random images and sizes.
func TestResizeBilinearAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 50 {
		h, w, c := 1+rng.IntN(9), 1+rng.IntN(9), 1+rng.IntN(4)
		oh, ow := 1+rng.IntN(12), 1+rng.IntN(12)
		src := make([]uint8, h*w*c)
		for i := range src {
			src[i] = uint8(rng.IntN(256))
		}
		got := resizeBilinear(src, w, c, window{height: h, width: w}, oh, ow)
		for y := range oh {
			for x := range ow {
				for k := range c {
					want := referenceBilinear(src, h, w, c, oh, ow, y, x, k)
					if g := float64(got[(y*ow+x)*c+k]); math.Abs(g-want) > 1e-3 {
						t.Fatalf("trial %d: %dx%dx%d → %dx%d, pixel (%d,%d,%d) = %v, reference %v", trial, h, w, c, oh, ow, y, x, k, g, want)
					}
				}
			}
		}
	}
}

// referenceBilinear samples src at the half-pixel-centre coordinate of output
// pixel (y, x) in float64.
func referenceBilinear(src []uint8, h, w, c, oh, ow, y, x, k int) float64 {
	coord := func(i, in, out int) (lo, hi int, f float64) {
		s := (float64(i)+0.5)*float64(in)/float64(out) - 0.5
		s = math.Max(s, 0)
		lo = int(math.Floor(s))
		hi = min(lo+1, in-1)
		return lo, hi, s - float64(lo)
	}
	y0, y1, fy := coord(y, h, oh)
	x0, x1, fx := coord(x, w, ow)
	at := func(yy, xx int) float64 { return float64(src[(yy*w+xx)*c+k]) }
	top := at(y0, x0)*(1-fx) + at(y0, x1)*fx
	bottom := at(y1, x0)*(1-fx) + at(y1, x1)*fx
	return top*(1-fy) + bottom*fy
}

// TestCropWindow checks smart_resize's centred crop, starting with the example
// of its docstring: a (340, 500) image for a (200, 200) target keeps a
// (340, 340) window centred along the width.
func TestCropWindow(t *testing.T) {
	tests := []struct {
		h, w, th, tw int
		want         window
	}{
		{340, 500, 200, 200, window{y0: 0, x0: 80, height: 340, width: 340}},
		{500, 340, 200, 200, window{y0: 80, x0: 0, height: 340, width: 340}},
		{100, 100, 50, 200, window{y0: 37, x0: 0, height: 25, width: 100}}, // int(75/2) = 37
		{100, 100, 100, 100, window{height: 100, width: 100}},
		{1, 1000, 10, 10, window{y0: 0, x0: 499, height: 1, width: 1}}, // int(999/2)
		{3, 7, 256, 256, window{y0: 0, x0: 2, height: 3, width: 3}},
	}
	for _, tc := range tests {
		if got := cropWindow(tc.h, tc.w, tc.th, tc.tw); got != tc.want {
			t.Errorf("cropWindow(%d, %d, %d, %d) = %+v, want %+v", tc.h, tc.w, tc.th, tc.tw, got, tc.want)
		}
	}
}
