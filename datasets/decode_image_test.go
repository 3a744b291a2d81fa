package datasets

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// DecodeImage reads bytes as LoadImage reads the same bytes from a file, in every color
// mode, and refuses what is no image with ErrFormat.
func TestDecodeImage(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 7, 5))
	for i := range 35 {
		src.Set(i%7, i/7, color.NRGBA{uint8(9 * i), uint8(255 - 5*i), uint8(3 * i), uint8(100 + 4*i)})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, src); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "x.png")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []ColorMode{ColorModeGrayscale, ColorModeRGB, ColorModeRGBA} {
		o := ImageLoadOptions{ImageSize: [2]int{4, 6}, ColorMode: mode}
		want, err := LoadImage(path, o)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeImage(b.Bytes(), o)
		if err != nil {
			t.Fatal(err)
		}
		if got.Height != want.Height || got.Width != want.Width || got.Channels != want.Channels || !slices.Equal(got.Pix, want.Pix) {
			t.Errorf("%s: DecodeImage %d×%d×%d differs from LoadImage %d×%d×%d", mode, got.Height, got.Width, got.Channels, want.Height, want.Width, want.Channels)
		}
	}
	if _, err := DecodeImage([]byte("not an image"), ImageLoadOptions{}); !errors.Is(err, ErrFormat) {
		t.Errorf("garbage: %v, want ErrFormat", err)
	}
}
