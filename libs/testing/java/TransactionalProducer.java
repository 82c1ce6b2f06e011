import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A transactional Java producer, as a hotline platform writes with exactly-once semantics.
 * Arguments: bootstrap servers, topic, transactional id, compression type. Standard input holds
 * `key<TAB>value` lines; a line `commit` or `abort` ends the open transaction that way.
 */
public class TransactionalProducer {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, args[2]);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, args[3]);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    String topic = args[1];
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props);
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      producer.initTransactions();
      boolean open = false;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.equals("commit") || line.equals("abort")) {
          if (!open) throw new IllegalStateException(line + " without a transaction");
          if (line.equals("commit")) producer.commitTransaction();
          else producer.abortTransaction();
          open = false;
          continue;
        }
        if (!open) {
          producer.beginTransaction();
          open = true;
        }
        int tab = line.indexOf('\t');
        producer.send(new ProducerRecord<>(topic, line.substring(0, tab), line.substring(tab + 1)));
        // Each message is written before the next: an aborted transaction's records reach the
        // log (and the consumer's fetches) before the abort marker does.
        producer.flush();
      }
      if (open) throw new IllegalStateException("the input ended inside a transaction");
    }
  }
}
