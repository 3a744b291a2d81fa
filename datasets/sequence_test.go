package datasets

import (
	"slices"
	"testing"
)

func TestPadSequences(t *testing.T) {
	tests := []struct {
		name   string
		seqs   [][]int32
		maxlen int
		want   []int32
	}{
		{"pad pre", [][]int32{{1, 2}}, 4, []int32{0, 0, 1, 2}},
		{"truncate pre keeps the last", [][]int32{{1, 2, 3, 4, 5}}, 3, []int32{3, 4, 5}},
		{"exact length", [][]int32{{7, 8, 9}}, 3, []int32{7, 8, 9}},
		{"empty sequence", [][]int32{{}}, 2, []int32{0, 0}},
		{"nil sequence", [][]int32{nil}, 2, []int32{0, 0}},
		{"several rows", [][]int32{{1}, {1, 2, 3, 4}, {5, 6}}, 3, []int32{0, 0, 1, 2, 3, 4, 0, 5, 6}},
		{"no rows", nil, 5, []int32{}},
		{"maxlen 1", [][]int32{{1, 2}, {3}}, 1, []int32{2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PadSequences(tt.seqs, tt.maxlen)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("PadSequences(%v, %d) = %v, want %v", tt.seqs, tt.maxlen, got, tt.want)
			}
		})
	}
}

func TestPadSequencesDoesNotModifyInput(t *testing.T) {
	seqs := [][]int32{{1, 2, 3}}
	if _, err := PadSequences(seqs, 2); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(seqs[0], []int32{1, 2, 3}) {
		t.Errorf("input changed to %v", seqs[0])
	}
}

func TestPadSequencesErrors(t *testing.T) {
	for _, maxlen := range []int{0, -1} {
		t.Run("maxlen", func(t *testing.T) {
			_, err := PadSequences([][]int32{{1}}, maxlen)
			checkErr(t, err, ErrInvalidArgument, "maxlen is", "want > 0")
		})
	}
}
