package io.strand.broker.protocol;

/** A frame that cannot be a valid request. The connection that sent it is closed; nothing else is affected. */
public class MalformedRequestException extends RuntimeException {
    public MalformedRequestException(String message) {
        super(message);
    }

    public MalformedRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
