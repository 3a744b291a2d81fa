package plots

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
)

// Grid layout constants.
const (
	// gridSeparator is the width in pixels of the white gap between cells
	// (there is no outer border).
	gridSeparator = 2
	// maxGridSide bounds each side of a grid image, in pixels, so that a
	// wrong scale cannot allocate gigabytes.
	maxGridSide = 1 << 15
)

// gridBackground fills the separators and the cells left without an image,
// like the white figure around matplotlib's subplots with axis("off").
var gridBackground = color.RGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}

// ImageGrid lays out n images into a rows×cols grid, the Go twin of the
// Keras DCGAN tutorial's generate_and_save_images (plt.subplot per image,
// axis off). images holds them in NHWC order, [n, h, w, c] flattened, with
// values in [-1, 1] as a tanh output gives; v maps to round((v+1)/2·255),
// so -1 is 0 and +1 is 255, values beyond are clamped and NaN is drawn as 0.
// c is 1 (grayscale, drawn as gray) or 3 (RGB). Image k fills cell
// (row k/cols, column k%cols); cells are separated by 2 white pixels, and
// cells beyond n stay white. Each source pixel becomes a scale×scale block
// (nearest neighbour).
//
// The result is (cols·w·scale + 2·(cols-1)) × (rows·h·scale + 2·(rows-1))
// pixels, fully opaque.
func ImageGrid(images []float32, n, h, w, c, rows, cols int, scale int) (*image.RGBA, error) {
	bad := func(format string, args ...any) (*image.RGBA, error) {
		return nil, fmt.Errorf("%w: ImageGrid: "+format, append([]any{ErrInvalidArgument}, args...)...)
	}
	switch {
	case n < 1 || h < 1 || w < 1:
		return bad("n, h, w = %d, %d, %d, want each >= 1", n, h, w)
	case c != 1 && c != 3:
		return bad("c = %d, want 1 (grayscale) or 3 (RGB)", c)
	case rows < 1 || cols < 1:
		return bad("rows, cols = %d, %d, want each >= 1", rows, cols)
	case scale < 1:
		return bad("scale = %d, want >= 1", scale)
	}
	// Bound the sizes before multiplying so nothing overflows.
	cellW, okW := mulBounded(maxGridSide, w, scale)
	cellH, okH := mulBounded(maxGridSide, h, scale)
	gridW, okGW := mulBounded(maxGridSide, cellW+gridSeparator, cols)
	gridH, okGH := mulBounded(maxGridSide, cellH+gridSeparator, rows)
	if !okW || !okH || !okGW || !okGH {
		return bad("grid of %d×%d cells of %d×%d pixels at scale %d is larger than %d pixels a side", rows, cols, h, w, scale, maxGridSide)
	}
	gridW -= gridSeparator
	gridH -= gridSeparator
	if n > rows*cols {
		return bad("n = %d images do not fit a %d×%d grid (%d cells)", n, rows, cols, rows*cols)
	}
	if want := n * h * w * c; len(images) != want {
		return bad("len(images) = %d, want n*h*w*c = %d*%d*%d*%d = %d", len(images), n, h, w, c, want)
	}

	img := image.NewRGBA(image.Rect(0, 0, gridW, gridH))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = gridBackground.R, gridBackground.G, gridBackground.B, gridBackground.A
	}
	for k := range n {
		x0 := (k % cols) * (cellW + gridSeparator)
		y0 := (k / cols) * (cellH + gridSeparator)
		src := images[k*h*w*c : (k+1)*h*w*c]
		for y := range h {
			for x := range w {
				px := src[(y*w+x)*c:]
				r := toByte(px[0])
				g, b := r, r
				if c == 3 {
					g, b = toByte(px[1]), toByte(px[2])
				}
				for dy := range scale {
					off := img.PixOffset(x0+x*scale, y0+y*scale+dy)
					for range scale {
						img.Pix[off], img.Pix[off+1], img.Pix[off+2], img.Pix[off+3] = r, g, b, 0xff
						off += 4
					}
				}
			}
		}
	}
	return img, nil
}

// toByte maps a tanh output in [-1, 1] to [0, 255], rounding to nearest;
// values beyond the range are clamped and NaN maps to 0.
func toByte(v float32) uint8 {
	f := (float64(v) + 1) / 2 * 255
	switch {
	case math.IsNaN(f) || f <= 0:
		return 0
	case f >= 255:
		return 255
	}
	return uint8(math.Round(f))
}

// mulBounded returns a*b and whether it is at most limit (a, b >= 0).
func mulBounded(limit, a, b int) (int, bool) {
	if a != 0 && b > limit/a {
		return 0, false
	}
	return a * b, a*b <= limit
}

// SavePNG encodes img as a PNG and writes it to path atomically.
func SavePNG(path string, img image.Image) error {
	if path == "" {
		return fmt.Errorf("%w: SavePNG: empty path", ErrInvalidArgument)
	}
	if img == nil {
		return fmt.Errorf("%w: SavePNG %s: nil image", ErrInvalidArgument, path)
	}
	err := writeFileAtomic(path, func(w io.Writer) error {
		if err := png.Encode(w, img); err != nil {
			return fmt.Errorf("encode PNG: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("plots: SavePNG: %w", err)
	}
	return nil
}
