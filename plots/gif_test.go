package plots

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// grayFrame returns a w×h RGBA image whose pixel (x, y) is the gray level
// (x + y + seed)·17.
func grayFrame(w, h, seed int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := uint8((x + y + seed) * 17)
			img.SetRGBA(x, y, color.RGBA{R: v, G: v, B: v, A: 255})
		}
	}
	return img
}

// colorFrame returns a w×h RGBA image with a red/green gradient.
func colorFrame(w, h, seed int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, color.RGBA{R: uint8(x * 20), G: uint8(y*20 + seed), B: 40, A: 255})
		}
	}
	return img
}

func TestAnimatedGIF(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 6, 4))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i * 10)
	}
	offset := grayFrame(6, 4, 2).SubImage(image.Rect(0, 0, 6, 4))
	shifted := image.NewRGBA(image.Rect(10, 20, 16, 24)) // same size, other origin
	for i := range shifted.Pix {
		shifted.Pix[i] = uint8(0x40 + i/4)
		if i%4 == 3 {
			shifted.Pix[i] = 0xff
		}
	}
	tests := []struct {
		name     string
		frames   []image.Image
		delay    int
		wantGray bool // the frames are stored exactly with the gray palette
	}{
		{"gray frames", []image.Image{grayFrame(6, 4, 0), grayFrame(6, 4, 1), grayFrame(6, 4, 2)}, 50, true},
		{"image.Gray frames", []image.Image{gray, offset}, 10, true},
		{"single frame", []image.Image{grayFrame(6, 4, 0)}, 0, true},
		{"color frames", []image.Image{colorFrame(6, 4, 0), colorFrame(6, 4, 9)}, 20, false},
		{"mixed frames", []image.Image{grayFrame(6, 4, 0), colorFrame(6, 4, 0)}, 20, false},
		{"frames at another origin", []image.Image{shifted, grayFrame(6, 4, 0)}, 5, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "anim.gif")
			if err := AnimatedGIF(path, tt.frames, tt.delay); err != nil {
				t.Fatalf("AnimatedGIF: %v", err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			g, err := gif.DecodeAll(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("gif.DecodeAll: %v", err)
			}
			if len(g.Image) != len(tt.frames) {
				t.Fatalf("%d frames, want %d", len(g.Image), len(tt.frames))
			}
			if g.Config.Width != 6 || g.Config.Height != 4 {
				t.Errorf("size = %dx%d, want 6x4", g.Config.Width, g.Config.Height)
			}
			// A single frame has no loop extension (LoopCount -1).
			if len(tt.frames) > 1 && g.LoopCount != 0 {
				t.Errorf("LoopCount = %d, want 0 (loop forever)", g.LoopCount)
			}
			for i, f := range g.Image {
				if g.Delay[i] != tt.delay {
					t.Errorf("frame %d: delay = %d, want %d", i, g.Delay[i], tt.delay)
				}
				if got := f.Bounds(); got != image.Rect(0, 0, 6, 4) {
					t.Errorf("frame %d: bounds = %v, want (0,0)-(6,4)", i, got)
				}
				if got := paletteGray(f.Palette); got != tt.wantGray {
					t.Errorf("frame %d: gray palette = %v, want %v", i, got, tt.wantGray)
				}
				if tt.wantGray && !samePixels(f, tt.frames[i]) {
					t.Errorf("frame %d: gray pixels not stored exactly", i)
				}
			}
			checkOnlyFiles(t, dir, "anim.gif")
		})
	}
}

// samePixels reports whether got (at the origin) has the pixels of want
// (at its own origin), compared as 16-bit RGBA.
func samePixels(got, want image.Image) bool {
	gb, wb := got.Bounds(), want.Bounds()
	if gb.Size() != wb.Size() {
		return false
	}
	for y := range gb.Dy() {
		for x := range gb.Dx() {
			r1, g1, b1, a1 := got.At(gb.Min.X+x, gb.Min.Y+y).RGBA()
			r2, g2, b2, a2 := want.At(wb.Min.X+x, wb.Min.Y+y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				return false
			}
		}
	}
	return true
}

func TestAnimatedGIFErrors(t *testing.T) {
	dir := t.TempDir()
	f := grayFrame(4, 4, 0)
	tests := []struct {
		name   string
		path   string
		frames []image.Image
		delay  int
		want   string
	}{
		{"empty path", "", []image.Image{f}, 1, "empty path"},
		{"no frames", "a.gif", nil, 1, "no frames"},
		{"negative delay", "a.gif", []image.Image{f}, -1, "delay = -1, want >= 0"},
		{"nil frame", "a.gif", []image.Image{f, nil}, 1, "frames[1] is nil"},
		{"sizes differ", "a.gif", []image.Image{f, grayFrame(5, 4, 0)}, 1, "frames[1] is 5x4, want 4x4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if path != "" {
				path = filepath.Join(dir, path)
			}
			err := AnimatedGIF(path, tt.frames, tt.delay)
			if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("AnimatedGIF error = %v, want ErrInvalidArgument containing %q", err, tt.want)
			}
		})
	}
	checkOnlyFiles(t, dir)
}

func TestIsGray(t *testing.T) {
	tests := []struct {
		name string
		img  image.Image
		want bool
	}{
		{"image.Gray", image.NewGray(image.Rect(0, 0, 2, 2)), true},
		{"gray RGBA", grayFrame(3, 3, 0), true},
		{"color RGBA", colorFrame(3, 3, 0), false},
		{"gray NRGBA", image.NewNRGBA(image.Rect(0, 0, 2, 2)), true},
		{"color paletted", image.NewPaletted(image.Rect(0, 0, 1, 1), color.Palette{color.RGBA{R: 1, A: 255}}), false},
	}
	for _, tt := range tests {
		if got := isGray(tt.img); got != tt.want {
			t.Errorf("%s: isGray = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestLoadPNGs(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	var want []image.Image
	for i := range 3 {
		img := grayFrame(5, 3, i)
		p := filepath.Join(dir, "frame"+string(rune('0'+i))+".png")
		if err := SavePNG(p, img); err != nil {
			t.Fatal(err)
		}
		paths, want = append(paths, p), append(want, img)
	}
	notPNG := writeFile(t, dir, "notes.txt", []byte("not a png"))

	tests := []struct {
		name    string
		paths   []string
		want    []image.Image
		wantErr string
	}{
		{"three frames", paths, want, ""},
		{"reversed", []string{paths[2], paths[0]}, []image.Image{want[2], want[0]}, ""},
		{"no paths", nil, nil, ""},
		{"missing file", []string{paths[0], filepath.Join(dir, "missing.png")}, nil, "missing.png"},
		{"not a PNG", []string{notPNG}, nil, "decode " + notPNG},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadPNGs(tt.paths)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "plots: LoadPNGs: ") {
					t.Errorf("LoadPNGs error = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadPNGs: %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d images, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if !samePixels(got[i], tt.want[i]) {
					t.Errorf("image %d differs from the one saved", i)
				}
			}
		})
	}
}

// TestGridsToGIF runs the intended pipeline: per-epoch grids saved as PNGs,
// loaded back and animated.
func TestGridsToGIF(t *testing.T) {
	dir := t.TempDir()
	const epochs, n, h, w = 4, 6, 4, 4
	var paths []string
	for e := range epochs {
		imgs := constImages(n, h, w, 1, func(k, _ int) float32 { return float32(k+e)/5 - 1 })
		grid, err := ImageGrid(imgs, n, h, w, 1, 2, 3, 2)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "epoch_"+string(rune('1'+e))+".png")
		if err := SavePNG(p, grid); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	frames, err := LoadPNGs(paths)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "training.gif")
	if err := AnimatedGIF(out, frames, 25); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := gif.DecodeAll(f)
	if err != nil {
		t.Fatal(err)
	}
	wantW, wantH := 3*w*2+2*2, 2*h*2+2
	if len(g.Image) != epochs || g.Config.Width != wantW || g.Config.Height != wantH {
		t.Errorf("GIF has %d frames of %dx%d, want %d of %dx%d", len(g.Image), g.Config.Width, g.Config.Height, epochs, wantW, wantH)
	}
	for i := range g.Image {
		if !samePixels(g.Image[i], frames[i]) {
			t.Errorf("frame %d: grayscale grid not stored exactly", i)
		}
	}
}

// paletteGray reports whether every color of p is gray.
func paletteGray(p color.Palette) bool {
	for _, c := range p {
		r, g, b, _ := c.RGBA()
		if r != g || r != b {
			return false
		}
	}
	return true
}
