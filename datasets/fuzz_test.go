package datasets

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"strings"
	"testing"
)

// These tests feed decoders and the CSV reader malformed input: the fuzz
// targets run their seed corpus as ordinary tests (explore further with
// go test -run '^$' -fuzz=FuzzDecodeImage -fuzzminimizetime=2s ./datasets/), and the corruption tests mutate valid files in a fixed,
// seeded way. All assert that nothing panics and that every failure is an
// ErrFormat (or, for CSV options, ErrInvalidArgument) error.

// fuzzLoads are the option sets each image input is decoded with.
var fuzzLoads = [...]imageLoad{
	{height: 4, width: 5, channels: 3},
	{channels: 1}, // no resize
	{height: 3, width: 3, channels: 4, crop: true},
}

// imageSeeds returns small valid images in every format, plus broken ones.
func imageSeeds(t testing.TB) [][]byte {
	src := image.NewNRGBA(image.Rect(0, 0, 7, 5))
	for i := range src.Pix {
		src.Pix[i] = uint8(i * 37)
	}
	var seeds [][]byte
	for _, format := range []string{"png", "jpeg", "gif", "bmp"} {
		seeds = append(seeds, encodeImage(t, format, src))
	}
	gray := image.NewGray(image.Rect(0, 0, 3, 9))
	seeds = append(seeds,
		encodeImage(t, "png", gray),
		encodeImage(t, "jpeg", gray),
		encodeImage(t, "png", uniformNRGBA(2, 2, color.NRGBA{1, 2, 3, 4})),
		pngIHDROnly(100000, 100000),
		pngIHDROnly(3, 3),
		[]byte("GIF89a"),
		[]byte("BM"),
		nil,
	)
	return seeds
}

// checkDecode decodes data with every fuzzLoad and fails on a result that is
// not a well-formed image or an ErrFormat error.
func checkDecode(t *testing.T, data []byte, what string) {
	t.Helper()
	// The header check of a streamed folder refuses only what decoding refuses.
	headerErr := readImageHeader(bufio.NewReader(bytes.NewReader(data)))
	if headerErr != nil && !errors.Is(headerErr, ErrFormat) {
		t.Fatalf("%s: header error %v does not wrap ErrFormat", what, headerErr)
	}
	if headerErr != nil {
		if _, err := decodeImage(data, fuzzLoads[0]); err == nil {
			t.Fatalf("%s: the header check refuses an image that decodes: %v", what, headerErr)
		}
	}
	// Keep memory small: images this declares larger than 2^16 pixels but
	// within MaxImagePixels are legal and would be decoded in full.
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil {
		if px := int64(cfg.Width) * int64(cfg.Height); px > 1<<16 && px <= MaxImagePixels && cfg.Width <= MaxImageSide && cfg.Height <= MaxImageSide {
			return
		}
	}
	for _, l := range fuzzLoads {
		img, err := decodeImage(data, l)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("%s: error %v does not wrap ErrFormat", what, err)
			}
			continue
		}
		if img.Channels != l.channels || len(img.Pix) != img.Height*img.Width*img.Channels || img.Height <= 0 || img.Width <= 0 {
			t.Fatalf("%s: malformed result %d×%d×%d with %d values", what, img.Height, img.Width, img.Channels, len(img.Pix))
		}
		if l.height != 0 && (img.Height != l.height || img.Width != l.width) {
			t.Fatalf("%s: resized to %d×%d, want %d×%d", what, img.Height, img.Width, l.height, l.width)
		}
	}
}

func FuzzDecodeImage(f *testing.F) {
	for _, s := range imageSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data, "input")
	})
}

// TestCorruptedImagesDoNotPanic flips, truncates and splices bytes of valid
// images of each format, 150 times each, with a fixed seed.
func TestCorruptedImagesDoNotPanic(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 7))
	for si, seed := range imageSeeds(t)[:4] {
		for trial := range 150 {
			data := corrupt(rng, seed)
			checkDecode(t, data, fmt.Sprintf("seed %d trial %d (%x)", si, trial, data))
		}
	}
}

// corrupt returns a mutated copy of data: a few random byte changes, a
// truncation, or a repeated chunk.
func corrupt(rng *rand.Rand, data []byte) []byte {
	out := bytes.Clone(data)
	if len(out) == 0 {
		return out
	}
	switch rng.IntN(3) {
	case 0:
		for range 1 + rng.IntN(4) {
			out[rng.IntN(len(out))] = byte(rng.IntN(256))
		}
	case 1:
		out = out[:rng.IntN(len(out))]
	case 2:
		i := rng.IntN(len(out))
		j := i + rng.IntN(len(out)-i)
		out = append(out[:j:j], append(bytes.Clone(data[i:j]), data[j:]...)...)
	}
	return out
}

// csvFuzzOptions are the options each CSV input is parsed with.
var csvFuzzOptions = [...]CSVOptions{
	{Label: "y"},
	{Label: "y", FeatureColumns: []string{"b"}},
	{Label: "y", ClassNames: []string{"0", "1"}},
}

var csvSeeds = [...]string{
	"a,b,y\n1,2,0\n3,4,1\n",
	"a,b,y\n1,2,cat\n3,4,dog\n5,6,cat\n",
	"\ufeffa,\"b\",y\r\n1,\"2\",0\r\n",
	"a,b,y\n1,2\n",
	"a,b,y\n1,x,0\n",
	"y\n0\n1\n",
	"",
	"a,b,y\n\"1\n2\",3,0\n",
}

// checkCSV parses data with every option set and fails on a malformed table
// or an error of the wrong kind.
func checkCSV(t *testing.T, data string, what string) {
	t.Helper()
	for _, o := range csvFuzzOptions {
		tab, err := parseCSV(strings.NewReader(data), o)
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("%s: error %v wraps neither ErrFormat nor ErrInvalidArgument", what, err)
			}
			continue
		}
		if len(tab.Features) != tab.NumRows*tab.NumFeatures() || len(tab.Labels) != tab.NumRows || tab.NumClasses() < 2 {
			t.Fatalf("%s: malformed table: %d rows, %d features, %d values, %d labels, %d classes",
				what, tab.NumRows, tab.NumFeatures(), len(tab.Features), len(tab.Labels), tab.NumClasses())
		}
		for _, id := range tab.Labels {
			if id < 0 || int(id) >= tab.NumClasses() {
				t.Fatalf("%s: label id %d outside %d classes", what, id, tab.NumClasses())
			}
		}
	}
}

func FuzzParseCSV(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		checkCSV(t, data, "input")
	})
}

// TestCorruptedCSVDoesNotPanic mutates valid CSV files 300 times each.
func TestCorruptedCSVDoesNotPanic(t *testing.T) {
	rng := rand.New(rand.NewPCG(99, 1))
	alphabet := []byte("01,\"\n\r;x.-e \ufeff")
	for si, seed := range csvSeeds[:3] {
		for trial := range 300 {
			data := corrupt(rng, []byte(seed))
			if len(data) > 0 && rng.IntN(2) == 0 { // bias towards CSV syntax
				data[rng.IntN(len(data))] = alphabet[rng.IntN(len(alphabet))]
			}
			checkCSV(t, string(data), fmt.Sprintf("seed %d trial %d (%q)", si, trial, data))
		}
	}
}
