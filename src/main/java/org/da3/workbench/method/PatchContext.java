package org.da3.workbench.method;

import ai.djl.ndarray.NDManager;
import org.da3.workbench.nn.ResNet;
import org.da3.workbench.spec.MethodSpec;

/**
 * What a method needs to make a domain's patch.
 *
 * @param backbone the shared backbone (frozen for every method but fine-tune)
 * @param numClasses the domain's classes (the head's outputs)
 * @param method the method and its options
 * @param manager the manager that will own the patch's arrays (closed with the patch)
 * @param seed the seed for the patch's initialisation
 * @param imageSize the input side, for methods whose modules depend on it
 */
public record PatchContext(ResNet backbone, int numClasses, MethodSpec method, NDManager manager, long seed,
        int imageSize) {}
