package configs

import "testing"

// precision defaults to float32, takes mixed_bfloat16, and does not change the model's
// fingerprint: checkpoints of the two precisions are interchangeable.
func TestLoadPrecision(t *testing.T) {
	def := mustLoad(t, "default.yaml", baseYAML)
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"default", baseYAML, PrecisionFloat32},
		{"float32", "precision: float32\n" + baseYAML, PrecisionFloat32},
		{"mixed_bfloat16", "precision: mixed_bfloat16\n" + baseYAML, PrecisionMixedBFloat16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustLoad(t, tc.name+".yaml", tc.yaml)
			if c.Precision != tc.want {
				t.Errorf("precision %q, want %q", c.Precision, tc.want)
			}
			if c.Fingerprint() != def.Fingerprint() {
				t.Errorf("fingerprint changed with precision %q", c.Precision)
			}
		})
	}
}
