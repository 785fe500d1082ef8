package io.strand.broker.server;

import io.strand.broker.server.config.BrokerConfig;
import io.strand.broker.server.config.ConfigSources;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar strand-broker.jar}: one broker, by default on port 9092 with its data in ./data. */
@Command(name = "strand-broker", mixinStandardHelpOptions = true, version = "strand-broker 0.1.0",
        description = "A Kafka-compatible broker. Configuration keys are Apache Kafka's (listeners, advertised.listeners, "
                + "log.dirs, node.id, auto.create.topics.enable, log.retention.ms, log.segment.bytes, message.max.bytes, ...).",
        footer = "Precedence: defaults < --config file < STRAND_* environment variables (STRAND_LOG_DIRS=...) < --override.")
public final class Main implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "A properties file of broker configuration.")
    Path configFile;

    @Option(names = {"-o", "--override"}, paramLabel = "KEY=VALUE", description = "Set one configuration key (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--print-config", description = "Print the effective configuration and exit.")
    boolean printConfig;

    public static void main(String[] args) {
        int exit = new CommandLine(new Main()).execute(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }

    @Override
    public Integer call() throws Exception {
        BrokerConfig config;
        try {
            config = BrokerConfig.from(ConfigSources.merge(configFile, System.getenv(), overrides));
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("Invalid configuration: " + e.getMessage());
            return 2;
        }
        if (printConfig) {
            config.asStrings().forEach((k, v) -> System.out.println(k + "=" + (v == null ? "" : v)));
            return 0;
        }
        config.unknownKeys().forEach(k -> LOG.warn("Ignoring unknown configuration key {}", k));
        Broker broker = Broker.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "strand-shutdown"));
        broker.awaitTermination();
        return 0;
    }
}
