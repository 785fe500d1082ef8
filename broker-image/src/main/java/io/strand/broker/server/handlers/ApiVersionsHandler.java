package io.strand.broker.server.handlers;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/** ApiVersions: the exact version ranges of the handlers this broker has. */
public final class ApiVersionsHandler implements ApiHandler<ApiVersionsRequestData, ApiVersionsResponseData> {
    private final Supplier<ApiHandlers> handlers;

    public ApiVersionsHandler(Supplier<ApiHandlers> handlers) {
        this.handlers = handlers;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.API_VERSIONS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletionStage<ApiVersionsResponseData> handle(RequestContext context, ApiVersionsRequestData request) {
        return CompletableFuture.completedFuture(response(handlers.get(), Errors.NONE));
    }

    public static ApiVersionsResponseData response(ApiHandlers handlers, Errors error) {
        ApiVersionsResponseData response = new ApiVersionsResponseData().setErrorCode(error.code()).setThrottleTimeMs(0);
        handlers.all().values().forEach(h -> response.apiKeys().add(new ApiVersionsResponseData.ApiVersion()
                .setApiKey(h.apiKey().id).setMinVersion(h.minVersion()).setMaxVersion(h.maxVersion())));
        return response;
    }
}
