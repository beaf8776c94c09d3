package dev.healthgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The README's configuration reference is a config a user can copy: healthgate accepts it as it stands. */
@DisplayName("The README's configuration")
class ReadmeConfigTest {

    private static final Pattern YAML_BLOCK = Pattern.compile("(?ms)^```yaml\\n(.*?)^```");

    @Test
    @DisplayName("every complete healthgate.yml in the README (a block with apps:) is accepted as it stands")
    void completeConfigsInTheReadmeAreAccepted() throws IOException {
        Path readme = Path.of("..", "README.md");
        Matcher m = YAML_BLOCK.matcher(Files.readString(readme));
        List<String> configs = new ArrayList<>();
        while (m.find()) {
            if (m.group(1).contains("\napps:\n") || m.group(1).startsWith("apps:\n")) {
                configs.add(m.group(1));
            }
        }
        assertThat(configs).as("complete configs in %s", readme.toAbsolutePath().normalize()).isNotEmpty();
        for (String yaml : configs) {
            HealthgateConfig config = ConfigLoader.parse(yaml);
            assertThat(config.apps()).as("apps of the README's config:%n%s", yaml).isNotEmpty();
        }
    }
}
