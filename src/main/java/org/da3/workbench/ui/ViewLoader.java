package org.da3.workbench.ui;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import javafx.fxml.FXMLLoader;
import javafx.scene.Parent;

/**
 * Loads a view's FXML with the view object itself as the controller. The FXML file sits beside
 * the view class in the resources (same package path), for example {@code ui/setup/Setup.fxml}
 * for {@code ui/setup/SetupView}.
 */
public final class ViewLoader {
    private ViewLoader() {}

    /**
     * Loads an FXML file next to the controller's class.
     *
     * @param controller the view (its {@code @FXML} fields are injected, then {@code initialize()} runs)
     * @param fxml the file name, for example {@code Setup.fxml}
     * @return the root node
     */
    public static Parent load(Object controller, String fxml) {
        URL url = controller.getClass().getResource(fxml);
        if (url == null) {
            throw new IllegalStateException("missing view resource " + fxml + " beside " + controller.getClass().getName());
        }
        FXMLLoader loader = new FXMLLoader(url);
        loader.setController(controller);
        try {
            return loader.load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load view " + url, e);
        }
    }
}
