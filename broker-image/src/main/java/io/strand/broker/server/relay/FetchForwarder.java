package io.strand.broker.server.relay;

import io.strand.broker.protocol.ClientCodec;
import io.strand.broker.server.handlers.ApiHandler;
import io.strand.broker.server.handlers.RequestContext;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * Fetch across several leaders keeps long polling sensible in two rounds: first every leg answers at once; if that
 * brought any data (or an error the client must see) it is the answer. Only otherwise do the legs long-poll with the
 * client's max wait, so a consumer that is behind is never slowed down by an idle leader, and a caught-up one waits
 * at most its max wait (data arriving at one leader while another waits out the timeout is delivered at the latest
 * then). A fetch whose partitions all have one leader is forwarded as it is.
 */
final class FetchForwarder extends PartitionForwarder<FetchRequestData, FetchResponseData> {
    FetchForwarder(ApiHandler<FetchRequestData, FetchResponseData> local, Forwarding forwarding) {
        super(local, new FetchRouting(), forwarding);
    }

    @Override
    public CompletionStage<FetchResponseData> handle(RequestContext context, FetchRequestData request) {
        Map<Integer, FetchRequestData> legs = routing.split(request, forwarding.self(), forwarding.leaders());
        if (legs.size() <= 1 || request.maxWaitMs() <= 0) {
            return run(context, request, legs);
        }
        return run(context, request, FetchRouting.immediate(legs))
                .thenCompose(first -> worthAnswering(first) ? java.util.concurrent.CompletableFuture.completedFuture(first) : run(context, request, legs));
    }

    static boolean worthAnswering(FetchResponseData response) {
        for (FetchResponseData.FetchableTopicResponse topic : response.responses()) {
            for (FetchResponseData.PartitionData p : topic.partitions()) {
                if (p.errorCode() != Errors.NONE.code() || ClientCodec.recordBytes(p) > 0) {
                    return true;
                }
            }
        }
        return false;
    }
}
