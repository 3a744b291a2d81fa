package plots

import (
	"fmt"
	"image"
	"image/color"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"image/png"
	"io"
	"os"
)

// grayPalette is the 256 levels of gray, used when every frame is gray so
// that grayscale samples (MNIST) are stored without dithering noise.
var grayPalette = func() color.Palette {
	p := make(color.Palette, 256)
	for i := range p {
		p[i] = color.Gray{Y: uint8(i)}
	}
	return p
}()

// AnimatedGIF writes frames to path as a looping animated GIF, each frame
// shown for delay hundredths of a second, like the Keras DCGAN tutorial's
// dcgan.gif made from the per-epoch image grids. All frames must have the
// same size. When every pixel of every frame is gray, frames use a 256-gray
// palette and are exact; otherwise they are dithered (Floyd–Steinberg) onto
// the Plan 9 palette. Transparency is not kept. The file is written
// atomically.
func AnimatedGIF(path string, frames []image.Image, delay int) error {
	switch {
	case path == "":
		return fmt.Errorf("%w: AnimatedGIF: empty path", ErrInvalidArgument)
	case len(frames) == 0:
		return fmt.Errorf("%w: AnimatedGIF %s: no frames", ErrInvalidArgument, path)
	case delay < 0:
		return fmt.Errorf("%w: AnimatedGIF %s: delay = %d, want >= 0 (hundredths of a second)", ErrInvalidArgument, path, delay)
	}
	gray := true
	for i, f := range frames {
		if f == nil {
			return fmt.Errorf("%w: AnimatedGIF %s: frames[%d] is nil", ErrInvalidArgument, path, i)
		}
		if s, s0 := f.Bounds().Size(), frames[0].Bounds().Size(); s != s0 {
			return fmt.Errorf("%w: AnimatedGIF %s: frames[%d] is %dx%d, want %dx%d like frames[0]", ErrInvalidArgument, path, i, s.X, s.Y, s0.X, s0.Y)
		}
		gray = gray && isGray(f)
	}
	pal := color.Palette(palette.Plan9)
	if gray {
		pal = grayPalette
	}

	anim := &gif.GIF{LoopCount: 0}
	for _, f := range frames {
		b := f.Bounds()
		p := image.NewPaletted(image.Rect(0, 0, b.Dx(), b.Dy()), pal)
		draw.FloydSteinberg.Draw(p, p.Bounds(), f, b.Min)
		anim.Image = append(anim.Image, p)
		anim.Delay = append(anim.Delay, delay)
	}
	err := writeFileAtomic(path, func(w io.Writer) error {
		if err := gif.EncodeAll(w, anim); err != nil {
			return fmt.Errorf("encode GIF: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("plots: AnimatedGIF: %w", err)
	}
	return nil
}

// isGray reports whether every pixel of img has equal red, green and blue.
func isGray(img image.Image) bool {
	switch m := img.(type) {
	case *image.Gray, *image.Gray16:
		return true
	case *image.RGBA:
		b := m.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, y):m.PixOffset(b.Max.X, y)]
			for i := 0; i < len(row); i += 4 {
				if row[i] != row[i+1] || row[i] != row[i+2] {
					return false
				}
			}
		}
		return true
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r != g || r != bl {
				return false
			}
		}
	}
	return true
}

// LoadPNGs decodes the PNG files at paths, in order, for example the
// per-epoch grids to pass to AnimatedGIF.
func LoadPNGs(paths []string) ([]image.Image, error) {
	imgs := make([]image.Image, 0, len(paths))
	for _, p := range paths {
		img, err := loadPNG(p)
		if err != nil {
			return nil, fmt.Errorf("plots: LoadPNGs: %w", err)
		}
		imgs = append(imgs, img)
	}
	return imgs, nil
}

// loadPNG decodes one PNG file.
func loadPNG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	return img, nil
}
