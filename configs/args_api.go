package configs

// CallbackArgs returns the keys a callback type (a CallbackTypes name) takes besides
// type, as YAML spells them; nil for an unknown type.
func CallbackArgs(typ string) []string { return callbackArgs(typ) }
