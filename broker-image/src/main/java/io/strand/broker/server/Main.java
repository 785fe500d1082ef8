package io.strand.broker.server;

import io.strand.broker.server.config.BrokerConfig;
import io.strand.broker.server.config.ConfigSources;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar strand-broker.jar}: one broker, by default on port 9092 with its data in ./data.
 *
 * <p>The command line is parsed by hand: it has four options, and a CLI library's class loading cost a large part of
 * the startup budget (picocli's reflection and Java 5 bytecode took ~200 ms of a 500 ms target).
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private static final String USAGE = """
            Usage: java -jar strand-broker.jar [--config FILE] [--override KEY=VALUE]... [--print-config] [--help]

            A Kafka-compatible broker. Configuration keys are Apache Kafka's (listeners, advertised.listeners,
            log.dirs, node.id, auto.create.topics.enable, log.retention.ms, log.segment.bytes, message.max.bytes, ...);
            every key is listed in docs/configuration.md and by --print-config.

              -c, --config FILE          a properties file of broker configuration
              -o, --override KEY=VALUE   set one configuration key (repeatable)
                  --print-config         print the effective configuration and exit
              -h, --help                 print this help and exit

            Precedence: defaults < --config file < STRAND_* environment variables (STRAND_LOG_DIRS=...) < --override.
            """;

    record Arguments(Path configFile, List<String> overrides, boolean printConfig, boolean help) {
        static Arguments parse(String[] args) {
            Path config = null;
            List<String> overrides = new ArrayList<>();
            boolean print = false;
            boolean help = false;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String inlineValue = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    inlineValue = arg.substring(eq + 1);
                    arg = arg.substring(0, eq);
                }
                switch (arg) {
                    case "-c", "--config" -> config = Path.of(inlineValue != null ? inlineValue : value(args, ++i, arg));
                    case "-o", "--override" -> overrides.add(inlineValue != null ? inlineValue : value(args, ++i, arg));
                    case "--print-config" -> print = true;
                    case "-h", "--help" -> help = true;
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                }
            }
            return new Arguments(config, overrides, print, help);
        }

        private static String value(String[] args, int index, String option) {
            if (index >= args.length) {
                throw new IllegalArgumentException("option " + option + " needs a value");
            }
            return args[index];
        }
    }

    public static void main(String[] args) {
        warmUpProtocolClasses();
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Arguments arguments;
        BrokerConfig config;
        try {
            arguments = Arguments.parse(args);
            if (arguments.help()) {
                out.print(USAGE);
                return 0;
            }
            config = BrokerConfig.from(ConfigSources.merge(arguments.configFile(), System.getenv(), arguments.overrides()));
        } catch (ConfigException | IllegalArgumentException e) {
            err.println("Invalid configuration: " + e.getMessage());
            err.print(USAGE);
            return 2;
        } catch (java.io.IOException e) {
            err.println("Cannot read the configuration file: " + e);
            return 2;
        }
        if (arguments.printConfig()) {
            config.asStrings().forEach((k, v) -> out.println(k + "=" + (v == null ? "" : v)));
            return 0;
        }
        config.unknownKeys().forEach(k -> LOG.warn("Ignoring unknown configuration key {}", k));
        try {
            Broker broker = Broker.start(config);
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "strand-shutdown"));
            broker.awaitTermination();
            return 0;
        } catch (Exception e) {
            LOG.error("The broker could not start", e);
            return 1;
        }
    }

    /**
     * Initialising kafka-clients' protocol tables loads every generated message class (~500); do it on a second
     * thread while the main thread reads configuration, opens logs and binds the port.
     */
    private static void warmUpProtocolClasses() {
        // ApiKeys initialises ApiMessageType (and through it every message class) from its own static initialiser, so
        // touching only ApiKeys keeps class initialisation in one order and cannot deadlock with the main thread.
        Thread warmUp = new Thread(ApiKeys::values, "strand-warmup");
        warmUp.setDaemon(true);
        warmUp.start();
    }
}
