package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * InitProducerId for idempotent producers: a fresh producer id with epoch 0, or (KIP-360) the same id with the
 * epoch bumped when a producer asks to reset its sequences. Transactional ids are refused: transactions are not
 * supported (FindCoordinator for transactions is not offered either, so clients fail fast instead of retrying).
 */
public final class InitProducerIdHandler implements ApiHandler<InitProducerIdRequestData, InitProducerIdResponseData> {
    private final BrokerContext broker;

    public InitProducerIdHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INIT_PRODUCER_ID;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 5;
    }

    @Override
    public CompletionStage<InitProducerIdResponseData> handle(RequestContext context, InitProducerIdRequestData request) {
        InitProducerIdResponseData response = new InitProducerIdResponseData().setThrottleTimeMs(0).setProducerId(-1).setProducerEpoch((short) -1);
        if (request.transactionalId() != null) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));
        }
        long producerId = request.producerId();
        short epoch = request.producerEpoch();
        if (producerId >= 0 && epoch >= 0 && epoch < Short.MAX_VALUE - 1) {
            response.setProducerId(producerId).setProducerEpoch((short) (epoch + 1));
        } else {
            response.setProducerId(broker.producerIds().nextProducerId()).setProducerEpoch((short) 0);
        }
        return CompletableFuture.completedFuture(response.setErrorCode(Errors.NONE.code()));
    }
}
