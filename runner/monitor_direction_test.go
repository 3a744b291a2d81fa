package runner

import "testing"

// Mode "auto" follows each Keras metric's _direction: up for the accuracies, AUC,
// precision, recall and r2_score; down for the losses and the regression errors.
func TestMonitorAutoDirection(t *testing.T) {
	for key, up := range map[string]bool{
		"val_loss": false, "loss": false, "val_accuracy": true, "val_auc": true, "precision": true,
		"val_r2_score": true, "r2_score": true, "val_mae": false, "mean_absolute_error": false,
		"val_mse": false, "val_root_mean_squared_error": false,
		// several outputs' names (docs/guide/multi_io.md), an output's name no clue
		"class_loss": false, "val_accuracy_head_loss": false, "val_class_accuracy": true,
		"value_auc": true, "val_value_r2_score": true, "value_mae": false, "val_acc_head_mse": false, "acc": true, "val_real_accuracy": true,
	} {
		if got := newMonitor(key, "auto", 0).maximize; got != up {
			t.Errorf("mode auto on %s maximises: %v, want %v", key, got, up)
		}
	}
}
