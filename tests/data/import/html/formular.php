<?php mail("info@steuer-weber.example", "Kontakt", $_POST["text"]); ?>
