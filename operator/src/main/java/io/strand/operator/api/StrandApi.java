package io.strand.operator.api;

/** API group and version shared by every Strand custom resource. */
public final class StrandApi {
    public static final String GROUP = "strand.io";
    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = GROUP + "/" + VERSION;

    private StrandApi() {
    }
}
