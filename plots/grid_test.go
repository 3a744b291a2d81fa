package plots

import (
	"errors"
	"image"
	"image/color"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// constImages returns n h×w×c images where every value of image k is
// value(k, channel).
func constImages(n, h, w, c int, value func(k, ch int) float32) []float32 {
	var s []float32
	for k := range n {
		for range h * w {
			for ch := range c {
				s = append(s, value(k, ch))
			}
		}
	}
	return s
}

// TestImageGridPlacement fills image k with constants and checks that they
// land, as bytes, in cell (k/cols, k%cols) and nowhere else, with white
// separators and white empty cells.
func TestImageGridPlacement(t *testing.T) {
	// levels are tanh outputs and the bytes they must become, including
	// clamping beyond [-1, 1].
	levels := []struct {
		v    float32
		want uint8
	}{{-1, 0}, {1, 255}, {0, 128}, {-3, 0}, {2.5, 255}, {0.5, 191}, {-0.5, 64}}
	tests := []struct {
		name                   string
		n, h, w, c, rows, cols int
		scale                  int
	}{
		{"gray 2x2 full", 4, 3, 2, 1, 2, 2, 1},
		{"gray 4x4 scaled", 16, 2, 3, 1, 4, 4, 3},
		{"gray partial grid", 5, 2, 2, 1, 2, 3, 2},
		{"rgb 2x3", 6, 2, 2, 3, 2, 3, 1},
		{"rgb single cell scaled", 1, 3, 3, 3, 1, 1, 4},
		{"one row", 3, 2, 2, 1, 1, 3, 1},
		{"one column", 3, 2, 2, 3, 3, 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Image k, channel ch uses level (k+ch)%len(levels), so RGB
			// channels differ and neighbouring cells differ.
			level := func(k, ch int) int { return (k + ch) % len(levels) }
			images := constImages(tt.n, tt.h, tt.w, tt.c, func(k, ch int) float32 { return levels[level(k, ch)].v })
			img, err := ImageGrid(images, tt.n, tt.h, tt.w, tt.c, tt.rows, tt.cols, tt.scale)
			if err != nil {
				t.Fatalf("ImageGrid: %v", err)
			}
			cellW, cellH := tt.w*tt.scale, tt.h*tt.scale
			wantW := tt.cols*cellW + 2*(tt.cols-1)
			wantH := tt.rows*cellH + 2*(tt.rows-1)
			if got := img.Bounds(); got != image.Rect(0, 0, wantW, wantH) {
				t.Fatalf("bounds = %v, want %dx%d", got, wantW, wantH)
			}
			white := color.RGBA{R: 255, G: 255, B: 255, A: 255}
			for y := range wantH {
				for x := range wantW {
					col, row := x/(cellW+2), y/(cellH+2)
					inCell := x%(cellW+2) < cellW && y%(cellH+2) < cellH
					want := white
					if k := row*tt.cols + col; inCell && k < tt.n {
						want.R = levels[level(k, 0)].want
						want.G, want.B = want.R, want.R
						if tt.c == 3 {
							want.G = levels[level(k, 1)].want
							want.B = levels[level(k, 2)].want
						}
					}
					if got := img.RGBAAt(x, y); got != want {
						t.Fatalf("pixel (%d, %d) in cell (%d, %d) = %v, want %v", x, y, row, col, got, want)
					}
				}
			}
		})
	}
}

// TestImageGridPixelOrder checks the NHWC indexing and the nearest
// neighbour upscaling: source pixel (y, x) of image k becomes a scale×scale
// block at the top left of its cell plus (x·scale, y·scale).
func TestImageGridPixelOrder(t *testing.T) {
	const n, h, w, rows, cols, scale = 2, 2, 3, 1, 2, 2
	for _, c := range []int{1, 3} {
		// value encodes (k, y, x, ch) as a distinct level in [-1, 1].
		value := func(k, y, x, ch int) float32 {
			return -1 + 2*float32(((k*h+y)*w+x)*c+ch)/float32(n*h*w*c-1)
		}
		var images []float32
		for k := range n {
			for y := range h {
				for x := range w {
					for ch := range c {
						images = append(images, value(k, y, x, ch))
					}
				}
			}
		}
		img, err := ImageGrid(images, n, h, w, c, rows, cols, scale)
		if err != nil {
			t.Fatalf("c=%d: ImageGrid: %v", c, err)
		}
		for k := range n {
			for y := range h * scale {
				for x := range w * scale {
					px := img.RGBAAt(k*(w*scale+2)+x, y)
					got := []uint8{px.R, px.G, px.B}
					for ch := range 3 {
						want := toByte(value(k, y/scale, x/scale, min(ch, c-1)))
						if got[ch] != want {
							t.Errorf("c=%d: image %d pixel (%d, %d) channel %d = %d, want %d", c, k, y, x, ch, got[ch], want)
						}
					}
				}
			}
		}
	}
}

func TestToByte(t *testing.T) {
	tests := []struct {
		v    float32
		want uint8
	}{
		{-1, 0}, {1, 255}, {0, 128}, {0.5, 191}, {-0.5, 64},
		{-1.5, 0}, {1.5, 255}, {float32(math.Inf(1)), 255}, {float32(math.Inf(-1)), 0},
		{float32(math.NaN()), 0},
		{-1 + 2.0/255, 1}, {1 - 2.0/255, 254}, // one step of 2/255 per byte
	}
	for _, tt := range tests {
		if got := toByte(tt.v); got != tt.want {
			t.Errorf("toByte(%v) = %d, want %d", tt.v, got, tt.want)
		}
	}
}

func TestImageGridErrors(t *testing.T) {
	tests := []struct {
		name                          string
		length                        int
		n, h, w, c, rows, cols, scale int
		want                          string
	}{
		{"too few values", 4*2*2 - 1, 4, 2, 2, 1, 2, 2, 1, "len(images) = 15, want n*h*w*c = 4*2*2*1 = 16"},
		{"too many values", 4*2*2*3 + 1, 4, 2, 2, 3, 2, 2, 1, "len(images) = 49, want n*h*w*c = 4*2*2*3 = 48"},
		{"two channels", 4 * 2 * 2 * 2, 4, 2, 2, 2, 2, 2, 1, "c = 2, want 1 (grayscale) or 3 (RGB)"},
		{"four channels", 4 * 2 * 2 * 4, 4, 2, 2, 4, 2, 2, 1, "c = 4"},
		{"too many images", 5 * 2 * 2, 5, 2, 2, 1, 2, 2, 1, "n = 5 images do not fit a 2×2 grid (4 cells)"},
		{"no images", 0, 0, 2, 2, 1, 2, 2, 1, "n, h, w = 0, 2, 2"},
		{"zero height", 0, 1, 0, 2, 1, 2, 2, 1, "n, h, w = 1, 0, 2"},
		{"zero rows", 4, 1, 2, 2, 1, 0, 2, 1, "rows, cols = 0, 2"},
		{"zero scale", 4, 1, 2, 2, 1, 1, 1, 0, "scale = 0, want >= 1"},
		{"huge scale", 4, 1, 2, 2, 1, 1, 1, 1 << 20, "larger than 32768 pixels a side"},
		{"huge grid", 4, 1, 2, 2, 1, 1 << 40, 1 << 40, 1, "larger than 32768 pixels a side"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := ImageGrid(make([]float32, tt.length), tt.n, tt.h, tt.w, tt.c, tt.rows, tt.cols, tt.scale)
			if err == nil {
				t.Fatalf("ImageGrid succeeded with bounds %v, want error", img.Bounds())
			}
			if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ImageGrid error = %q, want ErrInvalidArgument containing %q", err, tt.want)
			}
		})
	}
}

func TestSavePNG(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 3, 2))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(40 * i)
	}
	grid, err := ImageGrid(constImages(3, 4, 5, 3, func(k, ch int) float32 { return float32(k+ch)/2 - 1 }), 3, 4, 5, 3, 2, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		img  image.Image
	}{
		{"gray", gray},
		{"grid", grid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "img.png")
			if err := SavePNG(path, tt.img); err != nil {
				t.Fatalf("SavePNG: %v", err)
			}
			got := decodePNGFile(t, path)
			if got.Bounds() != tt.img.Bounds() {
				t.Fatalf("bounds = %v, want %v", got.Bounds(), tt.img.Bounds())
			}
			if !sameColors(got, tt.img) {
				t.Error("decoded pixels differ from the saved image")
			}
			checkOnlyFiles(t, dir, "img.png")
		})
	}
}

func TestSavePNGErrors(t *testing.T) {
	dir := t.TempDir()
	img := image.NewGray(image.Rect(0, 0, 1, 1))
	tests := []struct {
		name    string
		path    string
		img     image.Image
		invalid bool
	}{
		{"empty path", "", img, true},
		{"nil image", filepath.Join(dir, "a.png"), nil, true},
		{"missing directory", filepath.Join(dir, "no", "a.png"), img, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := SavePNG(tt.path, tt.img)
			if err == nil {
				t.Fatal("SavePNG succeeded, want error")
			}
			if got := errors.Is(err, ErrInvalidArgument); got != tt.invalid {
				t.Errorf("errors.Is(%v, ErrInvalidArgument) = %v, want %v", err, got, tt.invalid)
			}
		})
	}
	checkOnlyFiles(t, dir)
}

// sameColors reports whether a and b have the same bounds and the same
// pixels, compared as 16-bit RGBA.
func sameColors(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				return false
			}
		}
	}
	return true
}
