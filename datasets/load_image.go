package datasets

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/gif"  // registers GIF with image.Decode
	_ "image/jpeg" // registers JPEG
	_ "image/png"  // registers PNG
	"io"
	"os"
	"strings"

	_ "golang.org/x/image/bmp" // registers BMP (pure Go)
)

// ColorMode is Keras's color_mode: the number of channels images are
// converted to.
type ColorMode string

// The color modes of keras.utils.image_dataset_from_directory.
const (
	ColorModeGrayscale ColorMode = "grayscale" // 1 channel
	ColorModeRGB       ColorMode = "rgb"       // 3 channels, Keras's default
	ColorModeRGBA      ColorMode = "rgba"      // 4 channels
)

// Channels returns the number of channels of the mode (rgb for ""), or 0 for
// an unknown mode.
func (m ColorMode) Channels() int {
	switch m {
	case ColorModeGrayscale:
		return 1
	case ColorModeRGB, "":
		return 3
	case ColorModeRGBA:
		return 4
	}
	return 0
}

// Keras's default image_size, and the limits LoadImage enforces on an image's
// declared size before decoding it.
const (
	DefaultImageHeight = 256 // image_size=(256, 256)
	DefaultImageWidth  = 256

	// MaxImageSide bounds the width and the height an image file may declare.
	MaxImageSide = 1 << 15
	// MaxImagePixels bounds width × height (64 Mi pixels: 256 MiB as 8-bit RGBA
	// while decoding, the decoders' largest buffer).
	MaxImagePixels = 1 << 26
	// MaxImageFileBytes bounds the size of an image file LoadImage reads.
	MaxImageFileBytes = 1 << 28
)

// ImageLoadOptions say how LoadImage turns a file into pixels, as the
// arguments of the same names of keras.utils.image_dataset_from_directory.
type ImageLoadOptions struct {
	// ImageSize is Keras's image_size, [height, width]; the zero value means
	// Keras's default 256×256. Images are resized with bilinear interpolation
	// exactly as tf.image.resize(method="bilinear", antialias=False) does (half-
	// pixel centers), Keras's interpolation="bilinear".
	ImageSize [2]int
	// NoResize keeps each image at its decoded size (not a Keras option: Keras
	// always resizes). Images batched together must then all have one size.
	NoResize bool
	// ColorMode is Keras's color_mode; "" means rgb.
	ColorMode ColorMode
	// CropToAspectRatio is Keras's crop_to_aspect_ratio: before resizing, take
	// the largest centred window of the image with the target's aspect ratio
	// (keras.preprocessing.image.smart_resize), so nothing is distorted.
	CropToAspectRatio bool
}

// Image is a decoded image: Pix holds Height×Width×Channels float32 values in
// [0, 255], row-major (pixel (y, x), channel c at (y*Width+x)*Channels+c), as
// the tensors image_dataset_from_directory yields before any rescaling.
type Image struct {
	Pix                     []float32
	Height, Width, Channels int
}

// imageLoad is a validated ImageLoadOptions.
type imageLoad struct {
	height, width, channels int // height and width 0 with NoResize
	crop                    bool
}

// resolve validates o and fills in the defaults.
func (o ImageLoadOptions) resolve() (imageLoad, error) {
	l := imageLoad{channels: o.ColorMode.Channels(), crop: o.CropToAspectRatio}
	if l.channels == 0 {
		return l, fmt.Errorf("%w: color_mode %q (valid: %s, %s, %s)", ErrInvalidArgument, o.ColorMode, ColorModeGrayscale, ColorModeRGB, ColorModeRGBA)
	}
	h, w := o.ImageSize[0], o.ImageSize[1]
	if o.NoResize {
		if h != 0 || w != 0 || o.CropToAspectRatio {
			return l, fmt.Errorf("%w: no-resize mode takes neither image_size (got %v) nor crop_to_aspect_ratio", ErrInvalidArgument, o.ImageSize)
		}
		return l, nil
	}
	if h == 0 && w == 0 {
		h, w = DefaultImageHeight, DefaultImageWidth
	}
	if h <= 0 || w <= 0 || h > MaxImageSide || w > MaxImageSide || h*w > MaxImagePixels {
		return l, fmt.Errorf("%w: image_size %v, want [height, width] with sides in 1..%d and at most %d pixels", ErrInvalidArgument, o.ImageSize, MaxImageSide, MaxImagePixels)
	}
	l.height, l.width = h, w
	return l, nil
}

// imageFormatNames are the image.Decode format names LoadImage accepts: those
// of Keras's ALLOWLIST_FORMATS.
var imageFormatNames = [...]string{"bmp", "gif", "jpeg", "png"}

// LoadImage reads an image file the way image_dataset_from_directory does
// (tf.io.decode_image, then tf.image.resize or smart_resize):
//
//   - the format is recognised from the contents, whatever the extension:
//     PNG, JPEG, GIF (the first frame, on a canvas of the GIF's screen size)
//     or BMP; 16-bit samples keep their high byte;
//   - the declared size is read from the header first, and an image wider or
//     taller than MaxImageSide or larger than MaxImagePixels is refused before
//     any pixel memory is allocated;
//   - channels are converted to o.ColorMode: gray to RGB repeats the value;
//     alpha is dropped for rgb and grayscale and is 255 where the image has
//     none; color to grayscale takes a JPEG's luma plane as is (libjpeg's
//     grayscale output) and for other formats computes libpng's truncated
//     fixed-point ITU-R 601 luma (9797 R + 19234 G + 3737 B) >> 15, as
//     tf.io.decode_png(channels=1) does;
//   - unless o.NoResize, the image (or its centred crop) is resized to
//     o.ImageSize with TensorFlow's bilinear resize.
//
// Pixel values of JPEGs can differ by a few levels from TensorFlow's, whose
// libjpeg uses another IDCT and chroma upsampling. TensorFlow also refuses some
// combinations this accepts (grayscale GIF or BMP, rgba JPEG); here they
// convert as above. Errors name the file: ErrFormat for an undecodable,
// truncated, oversized or unsupported image.
func LoadImage(path string, o ImageLoadOptions) (*Image, error) {
	const op = "load image"
	l, err := o.resolve()
	if err != nil {
		return nil, &Error{Op: op, Path: path, Err: err}
	}
	return loadImage(path, l)
}

// loadImage is LoadImage with validated options.
func loadImage(path string, l imageLoad) (*Image, error) {
	const op = "load image"
	data, err := readImageFile(path)
	if err != nil {
		return nil, wrapIOError(op, path, err)
	}
	img, err := decodeImage(data, l)
	if err != nil {
		return nil, &Error{Op: op, Path: path, Err: err}
	}
	return img, nil
}

// readImageFile reads a regular file of at most MaxImageFileBytes.
func readImageFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: not a regular file (%v)", ErrFormat, fi.Mode().Type())
	}
	if fi.Size() > MaxImageFileBytes {
		return nil, fmt.Errorf("%w: %d bytes, more than the %d an image file may have", ErrFormat, fi.Size(), MaxImageFileBytes)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxImageFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrIO, err)
	}
	if len(data) > MaxImageFileBytes {
		return nil, fmt.Errorf("%w: more than the %d bytes an image file may have", ErrFormat, MaxImageFileBytes)
	}
	return data, nil
}

// decodeImage decodes, converts and resizes one image file's bytes. Its errors
// wrap a sentinel and leave naming the file to the caller.
func decodeImage(data []byte, l imageLoad) (*Image, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if err == image.ErrFormat {
			return nil, fmt.Errorf("%w: not a PNG, JPEG, GIF or BMP image", ErrFormat)
		}
		return nil, fmt.Errorf("%w: reading the %s header: %w", ErrFormat, imageFormatName(data), err)
	}
	if err := checkImageConfig(cfg, format); err != nil {
		return nil, err
	}
	w, h := cfg.Width, cfg.Height
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: decoding %s: %w", ErrFormat, format, err)
	}
	pix := toChannels(img, w, h, l.channels, format == "jpeg")
	if l.height == 0 { // NoResize
		out := make([]float32, len(pix))
		for i, v := range pix {
			out[i] = float32(v)
		}
		return &Image{Pix: out, Height: h, Width: w, Channels: l.channels}, nil
	}
	win := window{height: h, width: w}
	if l.crop {
		win = cropWindow(h, w, l.height, l.width)
	}
	out := resizeBilinear(pix, w, l.channels, win, l.height, l.width)
	return &Image{Pix: out, Height: l.height, Width: l.width, Channels: l.channels}, nil
}

// checkImageConfig refuses an image header of an unsupported format or of a size
// that must not be allocated.
func checkImageConfig(cfg image.Config, format string) error {
	if !isImageFormat(format) {
		return fmt.Errorf("%w: %s images are not supported (valid: %s)", ErrFormat, format, strings.Join(imageFormatNames[:], ", "))
	}
	w, h := cfg.Width, cfg.Height
	if w <= 0 || h <= 0 || w > MaxImageSide || h > MaxImageSide || int64(w)*int64(h) > MaxImagePixels {
		return fmt.Errorf("%w: %s header declares %d×%d pixels; want sides in 1..%d and at most %d pixels",
			ErrFormat, format, w, h, MaxImageSide, MaxImagePixels)
	}
	return nil
}

// isImageFormat reports whether an image.Decode format name is accepted.
func isImageFormat(format string) bool {
	for _, f := range imageFormatNames {
		if f == format {
			return true
		}
	}
	return false
}

// imageFormatName names the format data's magic number claims, for messages.
func imageFormatName(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG")):
		return "PNG"
	case bytes.HasPrefix(data, []byte("\xff\xd8")):
		return "JPEG"
	case bytes.HasPrefix(data, []byte("GIF8")):
		return "GIF"
	case bytes.HasPrefix(data, []byte("BM")):
		return "BMP"
	}
	return "image"
}

// toChannels converts img to row-major 8-bit pixels with c channels over the
// w×h canvas at the origin; canvas pixels outside img's bounds (a GIF frame
// smaller than its screen) are 0 in every channel. lumaPlane asks for the Y
// plane of a YCbCr image as its grayscale.
func toChannels(img image.Image, w, h, c int, lumaPlane bool) []uint8 {
	out := make([]uint8, w*h*c)
	b := img.Bounds()
	var palette [][4]uint8
	if p, ok := img.(*image.Paletted); ok {
		palette = make([][4]uint8, len(p.Palette))
		for i, col := range p.Palette {
			palette[i] = nrgba8(col)
		}
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if !(image.Point{x, y}).In(b) {
				continue
			}
			dst := out[(y*w+x)*c : (y*w+x+1)*c]
			var px [4]uint8
			switch m := img.(type) {
			case *image.Gray:
				v := m.Pix[m.PixOffset(x, y)]
				px = [4]uint8{v, v, v, 255}
			case *image.YCbCr:
				yy := m.Y[m.YOffset(x, y)]
				if lumaPlane && c == 1 {
					dst[0] = yy
					continue
				}
				ci := m.COffset(x, y)
				r, g, bl := color.YCbCrToRGB(yy, m.Cb[ci], m.Cr[ci])
				px = [4]uint8{r, g, bl, 255}
			case *image.NRGBA:
				i := m.PixOffset(x, y)
				px = [4]uint8{m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3]}
			case *image.Paletted:
				if i := int(m.Pix[m.PixOffset(x, y)]); i < len(palette) {
					px = palette[i]
				} // an index past the palette reads as transparent black
			default:
				px = nrgba8(img.At(x, y))
			}
			switch c {
			case 1:
				dst[0] = luma601(px[0], px[1], px[2])
			case 3:
				copy(dst, px[:3])
			case 4:
				copy(dst, px[:])
			}
		}
	}
	return out
}

// nrgba8 returns a color's non-premultiplied 8-bit R, G, B, A, keeping the high
// byte of 16-bit samples and the stored values of non-premultiplied colors.
func nrgba8(c color.Color) [4]uint8 {
	switch c := c.(type) {
	case color.NRGBA:
		return [4]uint8{c.R, c.G, c.B, c.A}
	case color.Gray:
		return [4]uint8{c.Y, c.Y, c.Y, 255}
	case color.RGBA:
		if c.A == 255 {
			return [4]uint8{c.R, c.G, c.B, 255}
		}
	}
	n := color.NRGBA64Model.Convert(c).(color.NRGBA64)
	return [4]uint8{uint8(n.R >> 8), uint8(n.G >> 8), uint8(n.B >> 8), uint8(n.A >> 8)}
}

// luma601 is libpng's png_do_rgb_to_gray for 8-bit samples without gamma
// correction, as tf.io.decode_png(channels=1) runs it: the ITU-R 601
// weights 0.299 and 0.587 as 15-bit fixed point (9797, 19234 and the rest,
// 3737), truncated; a gray pixel stays exactly as it is.
func luma601(r, g, b uint8) uint8 {
	if r == g && g == b {
		return r
	}
	return uint8((9797*uint32(r) + 19234*uint32(g) + 3737*uint32(b)) >> 15)
}
