package datasets

import "slices"

// imageFormats is Keras's ALLOWLIST_FORMATS (keras/src/utils/image_dataset_utils.py).
var imageFormats = [...]string{".bmp", ".gif", ".jpeg", ".jpg", ".png"}

// ImageFormats returns the file extensions ImageDirectory lists, matched
// case-insensitively: Keras's ALLOWLIST_FORMATS.
func ImageFormats() []string { return slices.Clone(imageFormats[:]) }

// ImageDirectoryOptions are the listing arguments of
// keras.utils.image_dataset_from_directory with labels="inferred"; how each
// image is decoded is ImageLoadOptions.
type ImageDirectoryOptions struct {
	DirectoryOptions
}

// ImageFiles are the labelled image files of a directory, as
// keras.utils.image_dataset_from_directory would read them. Skipped counts the
// files of the class folders that are not images by extension.
type ImageFiles struct {
	DirectoryFiles
}

// ImageDirectory lists the images of dir, one subfolder per class, with the
// semantics of keras.utils.image_dataset_from_directory (labels="inferred"):
// files whose lower-cased names end in .bmp, .gif, .jpeg, .jpg or .png;
// classes, order, shuffle, validation split and links exactly as for
// TextDirectory (see DirectoryOptions). Files of other types in the class
// folders are skipped and counted in Skipped. Nothing is decoded here: read
// the images with LoadImage or NewImageBatches.
func ImageDirectory(dir string, o ImageDirectoryOptions) (*ImageFiles, error) {
	files, err := indexDirectory("list image directory", dir, imageFormats[:], o.DirectoryOptions)
	if err != nil {
		return nil, err
	}
	return &ImageFiles{DirectoryFiles: *files}, nil
}
