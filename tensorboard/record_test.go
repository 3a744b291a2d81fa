package tensorboard

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
)

// TestCRC32C pins the checksum to the CRC-32C test vectors of RFC 3720
// (iSCSI), appendix B.4, which TensorFlow's crc32c_test uses too.
func TestCRC32C(t *testing.T) {
	ascending := make([]byte, 32)
	descending := make([]byte, 32)
	for i := range ascending {
		ascending[i] = byte(i)
		descending[i] = byte(31 - i)
	}
	tests := []struct {
		name string
		data []byte
		want uint32
	}{
		{"123456789", []byte("123456789"), 0xE3069283},
		{"32 zeros", make([]byte, 32), 0x8A9136AA},
		{"32 0xff", bytes.Repeat([]byte{0xff}, 32), 0x62A8AB43},
		{"0..31", ascending, 0x46DD794E},
		{"31..0", descending, 0x113FDB5C},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := crc32c(tt.data); got != tt.want {
				t.Errorf("crc32c = %#08x, want %#08x", got, tt.want)
			}
		})
	}
}

func TestMask(t *testing.T) {
	for _, crc := range []uint32{0, 1, 0xE3069283, 0xffffffff, maskDelta} {
		m := mask(crc)
		if m == crc {
			t.Errorf("mask(%#08x) = itself", crc)
		}
		if got := unmask(m); got != crc {
			t.Errorf("unmask(mask(%#08x)) = %#08x", crc, got)
		}
		if got := unmask(mask(m)); got != m {
			t.Errorf("unmask(mask(mask(%#08x))) = %#08x, want %#08x", crc, got, m)
		}
	}
}

// goldenRecords are the records of testdata/records.golden, written by
// TensorBoard's RecordWriter (testdata/make_golden.py).
var goldenRecords = [][]byte{
	{},
	[]byte("a"),
	[]byte("hello, tensorboard"),
	func() []byte {
		b := make([]byte, 300)
		for i := range b {
			b[i] = byte(i)
		}
		return b
	}(),
}

func TestWriteRecordGolden(t *testing.T) {
	want, err := os.ReadFile("testdata/records.golden")
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	for _, r := range goldenRecords {
		if err := WriteRecord(&got, r); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("WriteRecord wrote\n% x\nwant (TensorBoard's RecordWriter)\n% x", got.Bytes(), want)
	}
}

func TestRecordReaderGolden(t *testing.T) {
	f, err := os.Open("testdata/records.golden")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := readAll(t, NewRecordReader(f))
	if len(got) != len(goldenRecords) {
		t.Fatalf("read %d records, want %d", len(got), len(goldenRecords))
	}
	for i := range got {
		if !bytes.Equal(got[i], goldenRecords[i]) {
			t.Errorf("record %d = %q, want %q", i, got[i], goldenRecords[i])
		}
	}
}

// readAll reads records until io.EOF and fails t on any other error.
func readAll(t *testing.T, rr *RecordReader) [][]byte {
	t.Helper()
	var records [][]byte
	for {
		data, err := rr.Next()
		if err == io.EOF {
			return records
		}
		if err != nil {
			t.Fatalf("Next after %d records: %v", len(records), err)
		}
		records = append(records, data)
	}
}

func TestRecordRoundTrip(t *testing.T) {
	big := bytes.Repeat([]byte("tensorboard "), 100_000)
	tests := []struct {
		name    string
		records [][]byte
	}{
		{"none", nil},
		{"one empty", [][]byte{{}}},
		{"several", [][]byte{[]byte("x"), {}, []byte("yz")}},
		{"big", [][]byte{big, []byte("after")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			for _, r := range tt.records {
				if err := WriteRecord(&buf, r); err != nil {
					t.Fatal(err)
				}
			}
			size := int64(buf.Len())
			rr := NewRecordReader(&buf)
			got := readAll(t, rr)
			if len(got) != len(tt.records) {
				t.Fatalf("read %d records, want %d", len(got), len(tt.records))
			}
			for i := range got {
				if !bytes.Equal(got[i], tt.records[i]) {
					t.Errorf("record %d differs (len %d, want %d)", i, len(got[i]), len(tt.records[i]))
				}
			}
			if rr.Offset() != size {
				t.Errorf("Offset = %d, want %d", rr.Offset(), size)
			}
			if _, err := rr.Next(); err != io.EOF {
				t.Errorf("Next after end = %v, want io.EOF", err)
			}
		})
	}
}

// TestRecordDamage damages the second of two records and checks the error:
// its sentinel, and the offset of the damaged record.
func TestRecordDamage(t *testing.T) {
	var buf bytes.Buffer
	WriteRecord(&buf, []byte("first"))
	second := int64(buf.Len())
	WriteRecord(&buf, []byte("second record"))
	good := buf.Bytes()

	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x10
		return b
	}
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"length bit flipped", flip(int(second) + 1), ErrCorrupt},
		{"length checksum bit flipped", flip(int(second) + 9), ErrCorrupt},
		{"data bit flipped", flip(int(second) + headerSize + 3), ErrCorrupt},
		{"data checksum bit flipped", flip(len(good) - 1), ErrCorrupt},
		{"cut in header", good[:second+5], ErrTruncated},
		{"cut after header", good[:second+headerSize], ErrTruncated},
		{"cut in data", good[:second+headerSize+4], ErrTruncated},
		{"cut in data checksum", good[:len(good)-2], ErrTruncated},
		{"data checksum missing", good[:len(good)-footerSize], ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rr := NewRecordReader(bytes.NewReader(tt.data))
			first, err := rr.Next()
			if err != nil || string(first) != "first" {
				t.Fatalf("first Next = %q, %v; want \"first\", nil", first, err)
			}
			_, err = rr.Next()
			if !errors.Is(err, tt.want) {
				t.Fatalf("second Next error = %v, want %v", err, tt.want)
			}
			other := ErrTruncated
			if tt.want == ErrTruncated {
				other = ErrCorrupt
			}
			if errors.Is(err, other) {
				t.Errorf("error %v is also %v", err, other)
			}
			var re *RecordError
			if !errors.As(err, &re) || re.Offset != second {
				t.Errorf("error %v: want a *RecordError at offset %d", err, second)
			}
			if _, again := rr.Next(); again != err {
				t.Errorf("Next after error = %v, want the same error", again)
			}
			if rr.Offset() != second {
				t.Errorf("Offset = %d, want %d (end of the intact prefix)", rr.Offset(), second)
			}
		})
	}
}

func TestRecordErrorMessage(t *testing.T) {
	err := &RecordError{Path: "run/events.out.tfevents.1.host", Offset: 42, Err: ErrTruncated, Detail: "have 5 of 12 header bytes"}
	want := "tensorboard: truncated record in run/events.out.tfevents.1.host at byte 42: have 5 of 12 header bytes"
	if got := err.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
