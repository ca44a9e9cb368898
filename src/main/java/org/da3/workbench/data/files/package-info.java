/**
 * Dataset sources that read files as researchers keep them: {@code idx} (MNIST, Fashion-MNIST),
 * {@code cifar} (CIFAR-10/100 binary version), {@code imagefolder} (one folder per class, as
 * Piggyback and TinyTL lay out CUB, Cars, Flowers, WikiArt and Sketch) and {@code decathlon}
 * (Visual Decathlon: COCO-style annotation JSON plus an image root).
 *
 * <p>Shared pieces: {@link org.da3.workbench.data.files.DataPaths} expands {@code ~} and
 * environment variables in descriptor paths, {@link org.da3.workbench.data.files.DataCache} keeps
 * normalisation statistics and decoded image folders under {@code ${DA3_CACHE:-~/.cache/da3-workbench}},
 * {@link org.da3.workbench.data.files.Resampler} resizes and centre-crops uint8 images
 * deterministically, and {@link org.da3.workbench.data.files.LayoutProbe} recognises a layout from
 * a folder for {@code da3 datasets check PATH}.
 *
 * <p>Every problem names the file and says what would be right. {@code check} collects them all;
 * {@code load} throws a {@link org.da3.workbench.data.DatasetException} with the first and a count of
 * the rest, except for images that fail to decode, which are skipped and counted when the load
 * options allow it.
 */
package org.da3.workbench.data.files;
