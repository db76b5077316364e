package dev.lengthgen.model.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A configuration value, or a combination of values, that a model or its training cannot be built with. The message
 * is written in the configuration's own terms: every field it names is written {@code {field}} in the template, as
 * the record calls it ({@code {dim}}, {@code {maxOffset}}). {@link #getMessage} shows the field names; a caller with
 * its own names for those fields (the command line's flags) renders the same message with
 * {@link #render(UnaryOperator)}, so the library never has to know how it is driven.
 */
public class InvalidConfigException extends IllegalArgumentException {
    private static final Pattern FIELD = Pattern.compile("\\{([A-Za-z]+)}");
    private final String template;

    /** @param template the message, with each field it names written {@code {field}} */
    public InvalidConfigException(String template) {
        super(render(template, UnaryOperator.identity()));
        this.template = template;
    }

    /** The fields the message names, in order of first mention. */
    public List<String> fields() {
        List<String> out = new ArrayList<>();
        Matcher m = FIELD.matcher(template);
        while (m.find()) {
            if (!out.contains(m.group(1))) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** The message with every field written as {@code name} gives it. */
    public String render(UnaryOperator<String> name) {
        return render(template, name);
    }

    private static String render(String template, UnaryOperator<String> name) {
        Matcher m = FIELD.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(name.apply(m.group(1))));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
