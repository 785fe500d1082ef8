package io.strand.broker.storage;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/** The storage package depends on the JDK only. */
class StorageDependenciesTest {
    @Test
    void storageUsesTheJdkOnly() throws Exception {
        // import only the production classes: those next to PartitionLog.class, not the test classes
        String mainRoot = PartitionLog.class.getProtectionDomain().getCodeSource().getLocation().toURI().toString();
        ArchConfiguration archConfig = ArchConfiguration.get();
        boolean resolve = archConfig.resolveMissingDependenciesFromClassPath();
        archConfig.setResolveMissingDependenciesFromClassPath(false); // dependency names suffice; keeps the import fast
        JavaClasses imported;
        try {
            imported = new ClassFileImporter()
                    .withImportOption(location -> location.asURI().toString().startsWith(mainRoot))
                    .importPackages("io.strand.broker.storage");
        } finally {
            archConfig.setResolveMissingDependenciesFromClassPath(resolve);
        }
        classes().that().resideInAPackage("io.strand.broker.storage..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("io.strand.broker.storage..", "java..")
                .check(imported);
    }
}
