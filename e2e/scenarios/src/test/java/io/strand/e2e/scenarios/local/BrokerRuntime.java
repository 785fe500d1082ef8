package io.strand.e2e.scenarios.local;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.strand.operator.model.ClusterResources;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How {@link PodKubelet} runs a pod's broker: the broker jar in a JVM on this machine, or the broker image in Docker
 * ({@code -Dstrand.e2e.broker.image=strand/broker:0.1.0}, which .ci/images sets once the image is built). Either way
 * with the pod's args, its resolved environment and its ConfigMap as the config volume; only addresses are overridden.
 */
sealed interface BrokerRuntime {

    /** What the kubelet has for one start: volumes as directories here, the environment and the address overrides. */
    record Launch(Pod pod, Container container, Path configDir, Path claimDir, Map<String, String> env,
                  Map<String, String> overrides, String name) {
    }

    ProcessBuilder start(Launch launch) throws IOException;

    /** After a kill -9 of what {@link #start} started: whatever outlives it goes too. */
    void cleanUp(String name);

    String describe();

    static BrokerRuntime fromSystemProperties(Path jar) {
        String image = System.getProperty("strand.e2e.broker.image", "");
        return image.isBlank() ? new Jar(jar) : new Image(image);
    }

    /** The jar in a JVM of this machine: the claim directory is the data directory, named by a log.dirs override. */
    record Jar(Path jar) implements BrokerRuntime {
        @Override
        public ProcessBuilder start(Launch launch) {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx384m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
            // the container's args, with the mount path replaced by where the volume is here
            for (String arg : launch.container().getArgs()) {
                command.add(arg.replace(ClusterResources.CONFIG_MOUNT_PATH, launch.configDir().toString()));
            }
            launch.overrides().forEach((k, v) -> command.addAll(List.of("--override", k + "=" + v)));
            command.addAll(List.of("--override", "log.dirs=" + launch.claimDir().resolve("data")));
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().keySet().removeIf(k -> k.startsWith("STRAND_") || k.equals("JDK_JAVA_OPTIONS") || k.equals("JAVA_TOOL_OPTIONS"));
            builder.environment().putAll(launch.env());
            return builder;
        }

        @Override
        public void cleanUp(String name) {
        }

        @Override
        public String describe() {
            return "broker jar " + jar;
        }
    }

    /**
     * The image, as the kubelet runs it: the pod's user, its fsGroup as a supplementary group owning the data volume
     * (group-writable and setgid, which is what the kubelet does to a volume for fsGroup), the config volume read-only,
     * the rendered log.dirs untouched. Host networking, so the overridden 127.0.0.1 addresses are the container's.
     */
    record Image(String image) implements BrokerRuntime {
        @Override
        public ProcessBuilder start(Launch launch) throws IOException {
            PodSecurityContext security = launch.pod().getSpec().getSecurityContext();
            List<String> command = new ArrayList<>(List.of("docker", "run", "--rm", "--name", launch.name(), "--network", "host"));
            if (security != null && security.getRunAsUser() != null) {
                command.addAll(List.of("--user", security.getRunAsUser() + ":" + (security.getRunAsGroup() == null ? 0 : security.getRunAsGroup())));
            }
            if (security != null && security.getFsGroup() != null) {
                command.addAll(List.of("--group-add", security.getFsGroup().toString()));
                run(List.of("chgrp", security.getFsGroup().toString(), launch.claimDir().toString()));
                run(List.of("chmod", "2775", launch.claimDir().toString()));
            }
            command.addAll(List.of("-v", launch.configDir() + ":" + ClusterResources.CONFIG_MOUNT_PATH + ":ro"));
            command.addAll(List.of("-v", launch.claimDir() + ":" + ClusterResources.DATA_MOUNT_PATH));
            launch.env().forEach((k, v) -> command.addAll(List.of("-e", k + "=" + (k.equals("JDK_JAVA_OPTIONS") ? v + " -Xmx384m" : v))));
            if (!launch.env().containsKey("JDK_JAVA_OPTIONS")) {
                // many brokers on one machine: the image's MaxRAMPercentage would give each a share of all its memory
                command.addAll(List.of("-e", "JDK_JAVA_OPTIONS=-Xmx384m"));
            }
            command.add(image);
            command.addAll(launch.container().getArgs());
            launch.overrides().forEach((k, v) -> command.addAll(List.of("--override", k + "=" + v)));
            return new ProcessBuilder(command);
        }

        @Override
        public void cleanUp(String name) {
            try {
                run(List.of("docker", "rm", "-f", name));
            } catch (IOException e) {
                // best effort: the container may be gone already
            }
        }

        @Override
        public String describe() {
            return "broker image " + image;
        }

        private static void run(List<String> command) throws IOException {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IOException(String.join(" ", command) + " did not finish within 60 s");
                }
                if (process.exitValue() != 0) {
                    throw new IOException(String.join(" ", command) + " failed with exit " + process.exitValue());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted running " + command, e);
            }
        }
    }
}
