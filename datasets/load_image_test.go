package datasets

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"runtime"
	"slices"
	"testing"

	"golang.org/x/image/bmp"
)

// encodeImage encodes img in format ("png", "jpeg", "gif" or "bmp").
func encodeImage(t testing.TB, format string, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&buf, img)
	case "jpeg":
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95})
	case "gif":
		err = gif.Encode(&buf, img, nil)
	case "bmp":
		err = bmp.Encode(&buf, img)
	default:
		t.Fatalf("unknown format %q", format)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// uniformNRGBA is a w×h image of one color.
func uniformNRGBA(w, h int, c color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// pngIHDROnly is a PNG signature and IHDR chunk declaring width×height 8-bit
// RGBA, written byte by byte (PNG spec, sections 5.2–5.3 and 11.2.2), with no
// image data after it.
func pngIHDROnly(width, height uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], width)
	binary.BigEndian.PutUint32(ihdr[4:], height)
	ihdr[8] = 8  // bit depth
	ihdr[9] = 6  // colour type: truecolour with alpha
	ihdr[10] = 0 // compression, filter, interlace: the only defined values
	var length [4]byte
	binary.BigEndian.PutUint32(length[:], uint32(len(ihdr)))
	b.Write(length[:])
	chunk := append([]byte("IHDR"), ihdr[:]...)
	b.Write(chunk)
	var crc [4]byte
	binary.BigEndian.PutUint32(crc[:], crc32.ChecksumIEEE(chunk))
	b.Write(crc[:])
	return b.Bytes()
}

func noResize(mode ColorMode) ImageLoadOptions {
	return ImageLoadOptions{NoResize: true, ColorMode: mode}
}

// TestLoadImageColorModes checks the channel conversions on one pixel of each
// kind of image.
func TestLoadImageColorModes(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 1, 1))
	gray.Pix[0] = 77
	gray16 := image.NewGray16(image.Rect(0, 0, 1, 1))
	gray16.SetGray16(0, 0, color.Gray16{Y: 0x12ff})
	pal := image.NewPaletted(image.Rect(0, 0, 2, 1), color.Palette{color.NRGBA{10, 20, 30, 255}, color.NRGBA{200, 100, 50, 0}})
	pal.Pix[1] = 1
	rgba64 := image.NewNRGBA64(image.Rect(0, 0, 1, 1))
	rgba64.SetNRGBA64(0, 0, color.NRGBA64{R: 0xc8ff, G: 0x6401, B: 0x3280, A: 0x8000})
	// (9797·200 + 19234·100 + 3737·50) >> 15 = 4069650 >> 15 = 124
	const luma = 124
	tests := []struct {
		name   string
		format string
		img    image.Image
		want   map[ColorMode][]float32
	}{
		{"NRGBA PNG", "png", uniformNRGBA(1, 1, color.NRGBA{200, 100, 50, 128}), map[ColorMode][]float32{
			ColorModeRGB: {200, 100, 50}, ColorModeRGBA: {200, 100, 50, 128}, ColorModeGrayscale: {luma},
		}},
		{"gray PNG", "png", gray, map[ColorMode][]float32{
			ColorModeRGB: {77, 77, 77}, ColorModeRGBA: {77, 77, 77, 255}, ColorModeGrayscale: {77},
		}},
		{"16-bit gray PNG keeps the high byte", "png", gray16, map[ColorMode][]float32{
			ColorModeRGB: {0x12, 0x12, 0x12}, ColorModeGrayscale: {0x12},
		}},
		{"16-bit NRGBA PNG keeps the high bytes", "png", rgba64, map[ColorMode][]float32{
			ColorModeRGBA: {200, 100, 50, 128}, ColorModeGrayscale: {luma},
		}},
		{"paletted PNG with a transparent entry", "png", pal, map[ColorMode][]float32{
			ColorModeRGB: {10, 20, 30, 200, 100, 50}, ColorModeRGBA: {10, 20, 30, 255, 200, 100, 50, 0},
		}},
		{"opaque BMP", "bmp", uniformNRGBA(1, 1, color.NRGBA{200, 100, 50, 255}), map[ColorMode][]float32{
			ColorModeRGB: {200, 100, 50}, ColorModeRGBA: {200, 100, 50, 255}, ColorModeGrayscale: {luma},
		}},
		// GIF has one transparent palette index, which reads as 0 in every
		// channel (Go's decoder and TensorFlow's both give transparent black).
		{"GIF", "gif", pal, map[ColorMode][]float32{
			ColorModeRGB: {10, 20, 30, 0, 0, 0}, ColorModeRGBA: {10, 20, 30, 255, 0, 0, 0, 0},
		}},
	}
	dir := t.TempDir()
	for _, tc := range tests {
		path := writeFile(t, dir, tc.name+"."+tc.format, encodeImage(t, tc.format, tc.img))
		for mode, want := range tc.want {
			t.Run(tc.name+"/"+string(mode), func(t *testing.T) {
				img, err := LoadImage(path, noResize(mode))
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(img.Pix, want) || img.Channels != mode.Channels() {
					t.Errorf("got %v (%d channels), want %v", img.Pix, img.Channels, want)
				}
			})
		}
	}
}

// TestLoadImageJPEG checks that grayscale reads a JPEG's luma plane (as
// libjpeg's grayscale output does) and that rgb matches Go's YCbCr decoding.
func TestLoadImageJPEG(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 16, 8))
	for y := range 8 {
		for x := range 16 {
			src.SetNRGBA(x, y, color.NRGBA{uint8(x * 16), uint8(y * 32), 128, 255})
		}
	}
	data := encodeImage(t, "jpeg", src)
	decoded, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	ycc, ok := decoded.(*image.YCbCr)
	if !ok {
		t.Fatalf("jpeg decoded to %T, want *image.YCbCr", decoded)
	}
	path := writeFile(t, t.TempDir(), "x.jpg", data)
	g, err := LoadImage(path, noResize(ColorModeGrayscale))
	if err != nil {
		t.Fatal(err)
	}
	rgb, err := LoadImage(path, noResize(ColorModeRGB))
	if err != nil {
		t.Fatal(err)
	}
	for y := range 8 {
		for x := range 16 {
			if got, want := g.Pix[y*16+x], float32(ycc.Y[ycc.YOffset(x, y)]); got != want {
				t.Fatalf("gray (%d,%d) = %v, want the luma sample %v", x, y, got, want)
			}
			r, gg, b := color.YCbCrToRGB(ycc.Y[ycc.YOffset(x, y)], ycc.Cb[ycc.COffset(x, y)], ycc.Cr[ycc.COffset(x, y)])
			if got := rgb.Pix[(y*16+x)*3 : (y*16+x)*3+3]; !slices.Equal(got, []float32{float32(r), float32(gg), float32(b)}) {
				t.Fatalf("rgb (%d,%d) = %v, want %v", x, y, got, []uint8{r, gg, b})
			}
		}
	}
}

// TestLoadImageGIFFirstFrameOnScreen checks that a first frame smaller than
// the GIF's logical screen lands on a zero canvas of the screen's size, and
// that the second frame of an animation is ignored.
func TestLoadImageGIFFirstFrameOnScreen(t *testing.T) {
	palette := color.Palette{color.RGBA{0, 0, 0, 255}, color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}}
	first := image.NewPaletted(image.Rect(1, 1, 3, 2), palette)
	for i := range first.Pix {
		first.Pix[i] = 1
	}
	second := image.NewPaletted(image.Rect(0, 0, 4, 3), palette)
	for i := range second.Pix {
		second.Pix[i] = 2
	}
	var buf bytes.Buffer
	err := gif.EncodeAll(&buf, &gif.GIF{
		Image:  []*image.Paletted{first, second},
		Delay:  []int{10, 10},
		Config: image.Config{ColorModel: palette, Width: 4, Height: 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, t.TempDir(), "anim.gif", buf.Bytes())
	img, err := LoadImage(path, noResize(ColorModeRGB))
	if err != nil {
		t.Fatal(err)
	}
	if img.Height != 3 || img.Width != 4 {
		t.Fatalf("size %d×%d, want the screen's 3×4", img.Height, img.Width)
	}
	for y := range 3 {
		for x := range 4 {
			want := []float32{0, 0, 0}
			if y == 1 && (x == 1 || x == 2) {
				want = []float32{255, 0, 0}
			}
			if got := img.Pix[(y*4+x)*3 : (y*4+x)*3+3]; !slices.Equal(got, want) {
				t.Errorf("pixel (%d,%d) = %v, want %v", x, y, got, want)
			}
		}
	}
}

func TestLoadImageResizeAndCrop(t *testing.T) {
	// A 2×4 gray image: columns 10, 20, 30, 40 on both rows.
	src := image.NewGray(image.Rect(0, 0, 4, 2))
	copy(src.Pix, []uint8{10, 20, 30, 40, 10, 20, 30, 40})
	path := writeFile(t, t.TempDir(), "g.png", encodeImage(t, "png", src))
	tests := []struct {
		name string
		o    ImageLoadOptions
		h, w int
		want []float32
	}{
		// Squeezing 4 columns into 2 averages pairs: 15 and 35.
		{"resize", ImageLoadOptions{ImageSize: [2]int{2, 2}, ColorMode: ColorModeGrayscale}, 2, 2, []float32{15, 35, 15, 35}},
		// Cropping first keeps the centred 2×2 window (columns 20, 30), which
		// already has the target size.
		{"crop", ImageLoadOptions{ImageSize: [2]int{2, 2}, ColorMode: ColorModeGrayscale, CropToAspectRatio: true}, 2, 2, []float32{20, 30, 20, 30}},
		{"no resize", noResize(ColorModeGrayscale), 2, 4, []float32{10, 20, 30, 40, 10, 20, 30, 40}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img, err := LoadImage(path, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if img.Height != tc.h || img.Width != tc.w || !slices.Equal(img.Pix, tc.want) {
				t.Errorf("got %d×%d %v, want %d×%d %v", img.Height, img.Width, img.Pix, tc.h, tc.w, tc.want)
			}
		})
	}
	t.Run("default size", func(t *testing.T) {
		img, err := LoadImage(path, ImageLoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if img.Height != 256 || img.Width != 256 || img.Channels != 3 || len(img.Pix) != 256*256*3 {
			t.Errorf("got %d×%d×%d, want Keras's default 256×256×3", img.Height, img.Width, img.Channels)
		}
	})
}

func TestLoadImageErrors(t *testing.T) {
	dir := t.TempDir()
	good := encodeImage(t, "png", uniformNRGBA(8, 8, color.NRGBA{1, 2, 3, 255}))
	gradient := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range gradient.Pix {
		gradient.Pix[i] = uint8(i * 7)
	}
	goodJPEG := encodeImage(t, "jpeg", gradient)
	tests := []struct {
		name  string
		data  []byte
		o     ImageLoadOptions
		want  error
		frags []string
	}{
		{"huge PNG header", pngIHDROnly(100000, 100000), ImageLoadOptions{}, ErrFormat, []string{"100000×100000", "32768"}},
		{"too many pixels", pngIHDROnly(32768, 4096), ImageLoadOptions{}, ErrFormat, []string{"32768×4096", "67108864 pixels"}},
		{"zero width", pngIHDROnly(0, 10), ImageLoadOptions{}, ErrFormat, []string{"PNG header"}},
		{"header only", pngIHDROnly(10, 10), ImageLoadOptions{}, ErrFormat, []string{"decoding png"}},
		{"truncated PNG", good[:len(good)/2], ImageLoadOptions{}, ErrFormat, []string{"decoding png"}},
		{"truncated JPEG", goodJPEG[:len(goodJPEG)/2], ImageLoadOptions{}, ErrFormat, []string{"decoding jpeg"}},
		{"text named .png", []byte("hello, not an image"), ImageLoadOptions{}, ErrFormat, []string{"not a PNG, JPEG, GIF or BMP image"}},
		{"empty file", nil, ImageLoadOptions{}, ErrFormat, []string{"not a PNG"}},
		{"bad color mode", good, ImageLoadOptions{ColorMode: "cmyk"}, ErrInvalidArgument, []string{`"cmyk"`, "grayscale, rgb, rgba"}},
		{"half an image size", good, ImageLoadOptions{ImageSize: [2]int{0, 10}}, ErrInvalidArgument, []string{"image_size [0 10]"}},
		{"huge image size", good, ImageLoadOptions{ImageSize: [2]int{1 << 16, 1}}, ErrInvalidArgument, []string{"image_size"}},
		{"no resize with a size", good, ImageLoadOptions{NoResize: true, ImageSize: [2]int{4, 4}}, ErrInvalidArgument, []string{"no-resize"}},
		{"no resize with crop", good, ImageLoadOptions{NoResize: true, CropToAspectRatio: true}, ErrInvalidArgument, []string{"crop_to_aspect_ratio"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, dir, tc.name+".png", tc.data)
			_, err := LoadImage(path, tc.o)
			checkErr(t, err, tc.want, append(tc.frags, path)...)
		})
	}
	t.Run("missing", func(t *testing.T) {
		_, err := LoadImage(dir+"/none.png", ImageLoadOptions{})
		checkErr(t, err, ErrNotFound, "none.png")
	})
	t.Run("unreadable", func(t *testing.T) {
		path := writeFile(t, dir, "locked.png", good)
		if err := os.Chmod(path, 0); err != nil {
			t.Fatal(err)
		}
		if f, err := os.Open(path); err == nil {
			f.Close()
			t.Skip("file permissions are not enforced here (running as root?)")
		}
		_, err := LoadImage(path, ImageLoadOptions{})
		checkErr(t, err, ErrIO, path, "permission denied")
	})
	t.Run("directory", func(t *testing.T) {
		_, err := LoadImage(dir, ImageLoadOptions{})
		checkErr(t, err, ErrFormat, "not a regular file")
	})
}

// TestHugeHeaderRefusedBeforeAllocation checks that a PNG declaring
// 100000×100000 pixels (40 GB as RGBA) is refused from its header, with
// next to nothing allocated.
func TestHugeHeaderRefusedBeforeAllocation(t *testing.T) {
	data := pngIHDROnly(100000, 100000)
	l, err := ImageLoadOptions{}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = decodeImage(data, l)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("decoded a 100000×100000 header")
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("allocated %d bytes before refusing the header, want < 1 MiB", grew)
	}
}
