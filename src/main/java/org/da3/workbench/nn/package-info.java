/**
 * Backbones built from DJL blocks (ResNet-26 in the Visual Decathlon style, torchvision-layout
 * ResNet-18 and ResNet-50), with torchvision parameter names, a BatchNorm that can be truly frozen,
 * and the {@link org.da3.workbench.nn.Adaptation} hooks through which methods patch the frozen
 * backbone per domain.
 */
package org.da3.workbench.nn;
