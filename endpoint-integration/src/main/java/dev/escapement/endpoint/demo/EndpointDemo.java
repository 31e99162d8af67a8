package dev.escapement.endpoint.demo;

public final class EndpointDemo {
    public static void main(String[] args) {
        System.out.println("demo placeholder " + String.join(" ", args));
    }
}
