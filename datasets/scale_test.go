package datasets

import "testing"

func TestScale(t *testing.T) {
	in := []uint8{0, 127, 128, 255}
	tests := []struct {
		name  string
		scale func([]uint8) []float32
		want  []float32
	}{
		{"ScaleToTanh", ScaleToTanh, []float32{-1, -0.5 / 127.5, 0.5 / 127.5, 1}},
		{"ScaleToUnit", ScaleToUnit, []float32{0, 127.0 / 255, 128.0 / 255, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.scale(in)
			if len(got) != len(in) {
				t.Fatalf("len %d, want %d", len(got), len(in))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("%s(%d) = %v, want %v", tt.name, in[i], got[i], tt.want[i])
				}
			}
			if out := tt.scale(nil); len(out) != 0 {
				t.Errorf("%s(nil) has %d elements, want 0", tt.name, len(out))
			}
		})
	}
}

func TestScaleMonotonicAndBounded(t *testing.T) {
	all := make([]uint8, 256)
	for i := range all {
		all[i] = uint8(i)
	}
	tests := []struct {
		name   string
		scale  func([]uint8) []float32
		lo, hi float32
	}{
		{"ScaleToTanh", ScaleToTanh, -1, 1},
		{"ScaleToUnit", ScaleToUnit, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.scale(all)
			if got[0] != tt.lo || got[255] != tt.hi {
				t.Errorf("range [%v, %v], want [%v, %v]", got[0], got[255], tt.lo, tt.hi)
			}
			for i := 1; i < 256; i++ {
				if got[i] <= got[i-1] {
					t.Fatalf("not increasing at %d: %v <= %v", i, got[i], got[i-1])
				}
			}
		})
	}
}
