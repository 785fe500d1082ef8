package io.strand.broker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Keeps the layering: storage knows only the JDK; only protocol touches Kafka's record classes; nothing depends on server. */
class ArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.strand.broker");

    @Test
    void storageUsesTheJdkOnly() {
        noClasses().that().resideInAPackage("io.strand.broker.storage..")
                .should().dependOnClassesThat().resideOutsideOfPackages("io.strand.broker.storage..", "java..", "javax..")
                .check(CLASSES);
    }

    @Test
    void onlyProtocolTouchesKafkaRecordClasses() {
        noClasses().that().resideOutsideOfPackage("io.strand.broker.protocol..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.kafka.common.record..")
                .check(CLASSES);
    }

    @Test
    void protocolDoesNotDependOnServerOrStorage() {
        noClasses().that().resideInAPackage("io.strand.broker.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage("io.strand.broker.server..", "io.strand.broker.storage..")
                .check(CLASSES);
    }

    @Test
    void storageDoesNotDependOnUpperLayers() {
        noClasses().that().resideInAPackage("io.strand.broker.storage..")
                .should().dependOnClassesThat().resideInAnyPackage("io.strand.broker.server..", "io.strand.broker.protocol..")
                .check(CLASSES);
    }
}
